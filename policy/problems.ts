/**
 * Policy problems as people read them: `file:line:col: message` plus the fix, and the error that
 * carries them out of a command (exit 2).
 */
import { CoordError, EXIT_USAGE } from '../core/errors';
import type { PolicyProblem } from './types';

export const POLICY_DOC = 'docs/policy.md';

/** One line per problem, `file:line:col: message`, each followed by an indented `fix: ...` line. */
export function formatProblems(problems: readonly PolicyProblem[]): string {
  return problems.map((p) => `${p.file}:${p.line}:${p.col}: ${p.message}\n    fix: ${p.fix}`).join('\n');
}

/** File, then line, then column: the order an editor walks them. */
export function sortProblems(problems: PolicyProblem[]): PolicyProblem[] {
  return problems.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}

/** The policy is invalid. `message` is exactly formatProblems(problems). */
export class PolicyError extends CoordError {
  readonly problems: PolicyProblem[];

  constructor(problems: PolicyProblem[], source = 'the policy') {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(formatProblems(problems), {
      exitCode: EXIT_USAGE,
      hint: `${count} in ${source}; every policy key and error is explained in ${POLICY_DOC}.`,
    });
    this.name = 'PolicyError';
    this.problems = problems;
  }
}

/**
 * The known key a mistyped one most likely meant: same letters ignoring case, `-` and `_`
 * (onRoundComplete → on-round-complete), else the nearest by edit distance (transpositions count
 * once: wirte → write) when that distance is small for the key's length.
 */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  const squash = (text: string) => text.toLowerCase().replace(/[-_\s]/g, '');
  const exact = known.find((candidate) => squash(candidate) === squash(key));
  if (exact) return exact;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate);
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return bestDistance <= Math.max(1, Math.min(3, Math.floor(key.length / 3))) ? best : undefined;
}

/** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
    }
  }
  return rows[a.length][b.length];
}
