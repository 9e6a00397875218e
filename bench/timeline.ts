/**
 * Where a hook's wall time goes, from the outside: runs one command with GIT_TRACE2_EVENT set to a
 * fresh file, so that every git process it starts records its own start and exit, and prints each
 * git process on a time line relative to the command's start (and the command's own end). Gaps
 * before the first git process are node start-up and module loading; gaps between them are
 * JavaScript work or a chain of calls that waits on the previous one. For docs/performance.md:
 *
 *   node dist/bench/timeline.js [--cwd DIR] [--stdin FILE] -- COMMAND ARGS…
 *
 * The environment is this process's own (set GIT_DIR and the rest as the hook would get them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { performance } from 'perf_hooks';
import { runProcess } from '../core/process';

export interface GitSpan {
  startMs: number;
  endMs: number;
  argv: string;
  pid: string;
}

/** Git processes in a trace2 event file, times in ms relative to `originMs` (epoch ms). */
export function gitSpans(eventFile: string, originMs: number): GitSpan[] {
  const spans = new Map<string, Partial<GitSpan>>();
  let text = '';
  try {
    text = readFileSync(eventFile, 'utf8');
  } catch {
    return [];
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let event: { event?: string; sid?: string; time?: string; t_abs?: number; argv?: string[] };
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (!event.sid || !event.time) continue;
    // "2026-11-24T06:00:26.097697Z": milliseconds through Date.parse, the microseconds added.
    const micro = /\.(\d{3})(\d{3})Z$/.exec(event.time);
    const at = Date.parse(micro ? event.time.replace(/\.\d{6}Z$/, `.${micro[1]}Z`) : event.time) + (micro ? Number(micro[2]) / 1000 : 0) - originMs;
    const span = spans.get(event.sid) ?? { pid: event.sid.split('-P').pop() ?? '' };
    if (event.event === 'start') {
      span.startMs = at - (event.t_abs ?? 0) * 1000;
      span.argv = (event.argv ?? []).slice(1).join(' ');
    } else if (event.event === 'atexit') {
      span.endMs = at;
    }
    spans.set(event.sid, span);
  }
  return [...spans.values()].filter((span): span is GitSpan => span.startMs !== undefined && span.endMs !== undefined)
    .sort((a, b) => a.startMs - b.startMs);
}

export function formatTimeline(spans: GitSpan[], totalMs: number): string {
  const width = 50;
  const bar = (span: GitSpan) => {
    const from = Math.max(0, Math.round((span.startMs / totalMs) * width));
    const to = Math.min(width, Math.max(from + 1, Math.round((span.endMs / totalMs) * width)));
    return `${' '.repeat(from)}${'#'.repeat(to - from)}${' '.repeat(width - to)}`;
  };
  const busy = spans.reduce((sum, span) => sum + (span.endMs - span.startMs), 0);
  return [
    `command: ${totalMs.toFixed(1)} ms wall; ${spans.length} git processes, ${busy.toFixed(1)} ms of git process time (overlaps counted twice)`,
    ...spans.map((span) => `${span.startMs.toFixed(1).padStart(7)} → ${span.endMs.toFixed(1).padStart(7)} ms |${bar(span)}| git ${span.argv.slice(0, 90)}`),
    spans.length ? `first git process at ${spans[0].startMs.toFixed(1)} ms; after the last one ends: ${(totalMs - Math.max(...spans.map((span) => span.endMs))).toFixed(1)} ms` : 'no git process',
  ].join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  let cwd = process.cwd();
  let input: string | undefined;
  const separator = argv.indexOf('--');
  const options = separator >= 0 ? argv.slice(0, separator) : [];
  const command = separator >= 0 ? argv.slice(separator + 1) : argv;
  for (let index = 0; index < options.length; index++) {
    if (options[index] === '--cwd') cwd = options[++index];
    else if (options[index] === '--stdin') input = readFileSync(options[++index], 'utf8');
  }
  if (command.length === 0) {
    process.stderr.write('usage: node dist/bench/timeline.js [--cwd DIR] [--stdin FILE] -- COMMAND ARGS…\n');
    return 2;
  }
  const dir = mkdtempSync(join(tmpdir(), 'coord-hooks-timeline-'));
  try {
    const events = join(dir, 'events.json');
    const origin = performance.timeOrigin + performance.now();
    const result = await runProcess(command[0], command.slice(1), { env: { ...process.env, GIT_TRACE2_EVENT: events }, cwd, input });
    const total = performance.timeOrigin + performance.now() - origin;
    process.stdout.write(formatTimeline(gitSpans(events, origin), total));
    process.stdout.write(`exit ${result.code}${result.stderr.trim() ? `; stderr: ${result.stderr.trim().split('\n').slice(0, 3).join(' / ')}` : ''}\n`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (error: unknown) => {
    process.stderr.write(`timeline: ${String(error)}\n`);
    process.exitCode = 2;
  });
}
