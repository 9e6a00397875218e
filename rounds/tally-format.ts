/** How `tally` shows its result: a table per round, or the JSON document of docs/rounds.md. */
import type { RoundTally, TallyResult, TeamState } from './tally';

/** The `--json` document: `{ "source", "rounds": [ { round, complete, expected, teams, extra } ] }`. */
export function tallyJson(result: TallyResult): string {
  return JSON.stringify({ source: result.source, rounds: result.rounds }, null, 2) + '\n';
}

function stateLine(team: string, state: TeamState, width: number): string {
  const name = team.padEnd(width);
  switch (state.state) {
    case 'done': return `  ${name}  done     ${state.time ?? '-'}  ${state.target?.slice(0, 10) ?? ''}  ${state.signer ?? ''}`;
    case 'invalid': return `  ${name}  invalid  ${state.detail ?? ''} (tag ${state.tag?.slice(0, 10) ?? '?'})`;
    default: return `  ${name}  pending${state.detail ? `  (${state.detail})` : ''}`;
  }
}

function roundSummary(round: RoundTally): string {
  const done = round.expected.filter((team) => round.teams[team].state === 'done');
  if (round.complete) return `round ${round.round}: complete (${done.length}/${round.expected.length})`;
  const waiting = round.expected.filter((team) => round.teams[team].state !== 'done');
  return `round ${round.round}: ${done.length}/${round.expected.length} done; waiting for ${waiting.join(', ')}`;
}

export function formatTally(result: TallyResult): string {
  if (result.rounds.length === 0) return `no round tags yet (policy and keys from ${result.source})\n`;
  const lines: string[] = [];
  for (const round of result.rounds) {
    const names = [...round.expected, ...Object.keys(round.extra)];
    const width = Math.max(4, ...names.map((name) => name.length));
    lines.push(roundSummary(round));
    for (const team of round.expected) lines.push(stateLine(team, round.teams[team], width));
    for (const [team, state] of Object.entries(round.extra)) lines.push(`${stateLine(team, state, width)}  [not expected this round]`);
  }
  lines.push(`(signatures checked against the keys on ${result.source})`);
  return lines.join('\n') + '\n';
}
