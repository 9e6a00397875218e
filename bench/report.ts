/** Rows, targets and verdicts; the one table printed and the JSON written to bench/out/results.json. */
import type { Machine } from './machine';
import { median } from './measure';

export interface Series {
  /** What was run, for the JSON and the doc. */
  label: string;
  samples: number[];
  median: number;
}

export interface Target {
  /** Short form for the table, e.g. "≤1.5× floor". */
  label: string;
  /** null: could not be judged (a peer that is not installed). */
  ok: boolean | null;
}

export interface Row {
  id: string;
  scenario: string;
  runs: number;
  coord: Series;
  floor: Series | null;
  ratio: number | null;
  peer: Series | null;
  /** Why there is no peer figure where one was expected. */
  peerNote?: string;
  rssMb: number | null;
  targets: Target[];
  /** Extra figures (split of a total, an in-push cross-check, counts). */
  notes: string[];
}

export interface HarnessFailure {
  scenario: number;
  message: string;
  /** Not a broken harness: a run did not finish in time on a loaded machine (measure.ts SlowRun). */
  slow?: boolean;
}

export const RSS_LIMIT_MB = 200;

export function series(label: string, samples: number[]): Series {
  return { label, samples, median: median(samples) };
}

export function ratioTarget(ratio: number | null, limit: number): Target {
  return { label: `≤${limit}× floor`, ok: ratio === null ? null : ratio <= limit };
}

export function absoluteTarget(ms: number, limitMs: number, strict = false): Target {
  const shown = limitMs >= 1000 ? `${limitMs / 1000} s` : `${limitMs} ms`;
  return { label: `${strict ? '<' : '≤'}${shown}`, ok: strict ? ms < limitMs : ms <= limitMs };
}

export function peerTarget(coord: Series, peer: Series | null): Target {
  return { label: '<gitolite', ok: peer === null ? null : coord.median < peer.median };
}

export function rssTarget(rssMb: number | null): Target {
  return { label: `≤${RSS_LIMIT_MB} MB`, ok: rssMb === null ? null : rssMb <= RSS_LIMIT_MB };
}

export function verdict(row: Row): string {
  const missed = row.targets.filter((target) => target.ok === false).map((target) => target.label);
  const unjudged = row.targets.filter((target) => target.ok === null).map((target) => target.label);
  const text = missed.length ? `MISSES ${missed.join(', ')}` : 'meets';
  return unjudged.length ? `${text} (not judged: ${unjudged.join(', ')})` : text;
}

export function missed(row: Row): boolean {
  return row.targets.some((target) => target.ok === false);
}

export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}

const formatRatio = (ratio: number | null) => (ratio === null || !Number.isFinite(ratio) ? '—' : `${ratio.toFixed(2)}×`);
const formatMb = (mb: number | null) => (mb === null ? '—' : `${mb.toFixed(0)} MB`);

const HEADERS = ['#', 'scenario', 'coord-hooks', 'floor', 'ratio', 'target', 'verdict', 'gitolite', 'peak RSS', 'N'];

export function tableCells(row: Row): string[] {
  return [
    row.id, row.scenario, formatMs(row.coord.median), formatMs(row.floor?.median), formatRatio(row.ratio),
    row.targets.map((target) => target.label).join(', '), verdict(row),
    row.peer ? formatMs(row.peer.median) : row.peerNote ? 'n/a' : '—', formatMb(row.rssMb), String(row.runs),
  ];
}

/** A plain-text table (also valid Markdown). */
export function formatTable(rows: Row[]): string {
  const body = rows.map(tableCells);
  const widths = HEADERS.map((header, column) => Math.max(header.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  return [line(HEADERS), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...body.map(line)].join('\n') + '\n';
}

export function formatNotes(rows: Row[], failures: HarnessFailure[]): string {
  const lines: string[] = [];
  for (const row of rows) {
    const notes = [...row.notes];
    if (row.floor) notes.unshift(`floor: ${row.floor.label}`);
    if (row.peerNote) notes.push(`gitolite: ${row.peerNote}`);
    if (notes.length) lines.push(`${row.id}. ${notes.join('; ')}`);
  }
  for (const failure of failures) lines.push(`scenario ${failure.scenario}: ${failure.slow ? 'SLOW (not measured)' : 'HARNESS FAILURE'}: ${failure.message}`);
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export interface Results {
  version: 1;
  date: string;
  mode: 'quick' | 'full';
  huge: boolean;
  commit: string;
  machine: Machine;
  rows: (Row & { verdict: string })[];
  failures: HarnessFailure[];
  seconds: number;
  /** 1, 5 and 15 minute load averages when the run ended. */
  loadAtEnd: number[];
}
