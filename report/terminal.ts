/**
 * The board in a terminal: a compact rounds × teams table with a mark per cell, the rejected-push
 * counts and the latest events. Colour and Unicode marks on a terminal; plain ASCII when stdout is
 * not a terminal, NO_COLOR is set or TERM is dumb (logs, CI, pipes).
 */
import { shortTime as short, type Board, type BoardCell, type CellState } from './board';
import { formatOtherRefusals } from '../rounds/status';

const MARKS: Record<CellState, { fancy: string; ascii: string; colour: string }> = {
  done: { fancy: '✓', ascii: '[x]', colour: '32' },
  replied: { fancy: '✎', ascii: '[r]', colour: '36' },
  announced: { fancy: '…', ascii: '[a]', colour: '33' },
  pending: { fancy: '·', ascii: '[ ]', colour: '2' },
  invalid: { fancy: '✗', ascii: '[!]', colour: '31' },
  none: { fancy: '—', ascii: ' - ', colour: '2' },
};

export interface TerminalOptions {
  /** Colour and Unicode marks (a terminal without NO_COLOR). */
  fancy: boolean;
  /** How many of the latest timeline events to list (default 8). */
  events?: number;
}

export function wantsFancy(isTTY: boolean, env: NodeJS.ProcessEnv): boolean {
  return isTTY && !env.NO_COLOR && env.TERM !== 'dumb';
}

/** Strips control characters (terminal escapes) from text that came from git. */
// eslint-disable-next-line no-control-regex
const clean = (text: string) => text.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
const shortTime = (iso?: string) => short(iso, false);

function cellText(cell: BoardCell, fancy: boolean): string {
  const mark = fancy ? MARKS[cell.state].fancy : MARKS[cell.state].ascii;
  if (cell.state === 'none') return mark;
  let text = `${mark} ${cell.state}`;
  if (cell.state === 'done') text += ` ${clean(cell.done?.signer ?? '?')} ${shortTime(cell.done?.time)}`;
  else if (cell.state === 'replied') text += ` ${shortTime(cell.replied?.time)}`;
  return cell.expected ? text : `${text} *`;
}

export function formatTerminal(board: Board, options: TerminalOptions): string {
  const paint = (colour: string, text: string) => (options.fancy ? `\u001b[${colour}m${text}\u001b[0m` : text);
  const lines = [paint('1', 'coord-hooks report') + ` · policy and keys from ${clean(board.source)} · ${board.generated.replace(/\.\d+Z$/, 'Z')}`, ''];
  const teams = board.teams.map(clean);
  if (board.rounds.length === 0) {
    lines.push('no rounds yet: coord-hooks announce --team T --round 1 -m "…"');
  } else {
    const head = board.rounds.map((round) => `round ${round.round}${round.complete ? ' complete' : ' open'}`);
    const rows = board.rounds.map((round) => board.teams.map((team) => round.cells[team]));
    const firstWidth = Math.max(5, ...head.map((text) => text.length)) + 2;
    const widths = teams.map((team, column) => Math.max(team.length, ...rows.map((row) => cellText(row[column], options.fancy).length)) + 2);
    lines.push(''.padEnd(firstWidth) + teams.map((team, column) => paint('1', team.padEnd(widths[column]))).join('').trimEnd());
    board.rounds.forEach((round, index) => {
      const label = head[index].padEnd(firstWidth);
      const last = teams.length - 1;
      const cells = rows[index].map((cell, column) => paint(MARKS[cell.state].colour, cellText(cell, options.fancy).padEnd(column === last ? 0 : widths[column])));
      lines.push((round.complete ? paint('32', label) : label) + cells.join('').trimEnd());
    });
    const marks = (['done', 'replied', 'announced', 'pending', 'invalid'] as const).map((state) => `${options.fancy ? MARKS[state].fancy : MARKS[state].ascii.trim()} ${state}`);
    lines.push('', `${marks.join('  ')}${board.rounds.some((round) => Object.values(round.cells).some((cell) => !cell.expected && cell.state !== 'none')) ? '  * not expected by the round' : ''}`);
  }
  if (board.rejected) {
    const entries = Object.entries(board.rejected);
    const total = entries.reduce((sum, [, entry]) => sum + entry.count, 0);
    lines.push('', `rejected pushes (audit log): ${total === 0 ? 'none' : entries.map(([team, entry]) => `${clean(team)} ${paint('31', String(entry.count))}`).join(' · ')}`);
    for (const [team, entry] of entries) lines.push(`  ${clean(team).padEnd(12)} last ${shortTime(entry.last)}: ${clean(entry.reason ?? '')}`.trimEnd());
    if (board.refused) lines.push(...formatOtherRefusals(board.refused, shortTime).map(clean));
  } else {
    lines.push('', 'rejected pushes: no audit log here (run on the server, or pass --audit PATH)');
  }
  const latest = board.timeline.slice(-(options.events ?? 8));
  if (latest.length) {
    lines.push('', `latest events (${latest.length} of ${board.timeline.length}):`);
    for (const event of latest) {
      const who = clean(event.team ?? `round ${event.round ?? '?'}`);
      lines.push(`  ${short(event.time)}  ${who.padEnd(10)} ${event.kind.padEnd(15)}${clean(event.text)}`.trimEnd());
    }
  }
  return lines.join('\n') + '\n';
}
