/**
 * Messages agents and people read when a push or a check is refused. Short for one violation,
 * summarised (count per directory, first 20 listed) for thousands.
 */
import { describePatterns, owningTeams } from '../policy/explain';
import { suggestKey } from '../policy/problems';
import { parseRoundBranch, parseRoundFile, roundBranch } from '../policy/round-names';
import type { Policy } from '../policy/types';
import type { Violation } from './scope';

export const LIST_LIMIT = 20;

export interface FormatOptions {
  /** Commit subjects for display, by full oid. */
  subjects?: Map<string, string>;
  /** Prefix for every line (e.g. "GL-HOOK-ERR: " for GitLab). */
  prefix?: string;
}

/** The commits of the violations a message lists (the first LIST_LIMIT): whose subjects are worth a git call. */
export function shownCommits(violations: Violation[], limit = LIST_LIMIT): string[] {
  return violations.slice(0, limit).map((violation) => violation.commit);
}

function reasonText(policy: Policy, violation: Violation): string {
  switch (violation.reason) {
    case 'policy-file':
      return `policy file: only the architect may change it`;
    case 'announcement':
      return 'the round\'s ANNOUNCEMENT.md is the architect\'s: this commit is not signed by an architect key, nor pushed with the architect\'s push certificate (reply in REPLY.md instead)';
    case 'symlink-escape':
      return `symlink to ${JSON.stringify(violation.detail ?? '')}, which leaves team ${violation.team}'s write scope${violation.because ? `: it ${violation.because}` : ''}`;
    case 'outside-scope': {
      const roundFile = roundFileText(violation);
      if (roundFile) return `outside team ${violation.team}'s write scope; ${roundFile}`;
      const owners = owningTeams(policy, violation.path).map((team) => team.name);
      const owner = owners.length ? `; it belongs to ${owners.map((name) => `team ${name}`).join(', ')}` : '; no team may write it';
      const claude = isClaudeDirPath(violation.path) ? ' (.claude/ holds the Claude Code settings every agent\'s session reads)' : '';
      return `outside team ${violation.team}'s write scope${owner}${claude}`;
    }
  }
}

/** The branch a violation's ref names, without refs/heads/ (undefined where no ref is known: check, pre-commit). */
const branchOf = (violation: Violation) => violation.ref?.replace(/^refs\/heads\//, '');

/**
 * A round's ANNOUNCEMENT.md or REPLY.md written where the round exception does not apply: another
 * team's, or the team's own on a branch that is not its round branch (a misspelt one gets the right name).
 */
function roundFileText(violation: Violation): string | null {
  const file = parseRoundFile(violation.path);
  if (!file) return null;
  const right = roundBranch(file.team, file.round);
  if (file.team !== violation.team) return `it is team ${file.team}'s round file, written only on ${right}`;
  const branch = branchOf(violation);
  if (branch === undefined) return `${file.file}.md is written only on the round branch ${right}`;
  const misspelt = parseRoundBranch(branch) === null && suggestKey(branch, [right]) === right;
  return `${file.file}.md is written only on the round branch ${right}; this is ${branch}${misspelt ? `: did you mean ${right}?` : ''}`;
}

/** Claude Code's project settings (.claude/ at the top or in a subdirectory), read by every agent's session. */
function isClaudeDirPath(path: string): boolean {
  return path.startsWith('.claude/') || path.includes('/.claude/');
}

type AdviceKind = 'scope' | 'round-file' | 'claude' | 'announcement' | 'policy-file';

function adviceKind(violation: Violation): AdviceKind {
  if (violation.reason === 'policy-file' || violation.reason === 'announcement') return violation.reason;
  if (violation.reason === 'outside-scope' && parseRoundFile(violation.path)) return 'round-file';
  if (violation.reason === 'outside-scope' && isClaudeDirPath(violation.path)) return 'claude';
  return 'scope';
}

/** What to do, once per kind of violation present: each kind gets advice that fits it. */
function adviceLines(violations: Violation[]): string[] {
  const kinds = new Set(violations.map(adviceKind));
  const hints: string[] = [];
  if (kinds.has('scope')) {
    hints.push('move those changes to the owning team\'s branch (or drop them: `git reset`/`git rebase -i`), or ask the architect to widen the scope in the policy');
  }
  if (kinds.has('round-file')) {
    const branches = [...new Set(violations.filter((violation) => adviceKind(violation) === 'round-file').map((violation) => {
      const file = parseRoundFile(violation.path)!;
      return roundBranch(file.team, file.round);
    }))];
    hints.push(`a round's files (rounds/N/<team>/) change only on that team's round branch (${branches.join(', ')}): push those commits there (\`git push origin HEAD:${branches[0]}\`); another team's round files are not yours to change`);
  }
  if (kinds.has('claude')) {
    hints.push('drop the .claude/ changes from those commits (`git rebase -i`, or `git reset` and commit again without them): keep this clone\'s own settings in .claude/settings.local.json, which `coord-hooks install --claude` writes and keeps out of git; shared .claude/settings.json is the architect\'s (`coord-hooks install --claude --shared`)');
  }
  if (kinds.has('announcement')) {
    hints.push('ANNOUNCEMENT.md is the architect\'s (signed commits, `coord-hooks announce`): drop that change and answer in REPLY.md (`coord-hooks reply`)');
  }
  if (kinds.has('policy-file')) {
    hints.push('policy files (CLAUDE.md front-matter, .coord/) change only through the architect: send the change as a request');
  }
  return hints;
}

function commitLabel(violation: Violation, subjects?: Map<string, string>): string {
  if (!/^[0-9a-f]{40,64}$/.test(violation.commit)) return violation.commit;
  const subject = subjects?.get(violation.commit);
  return `${violation.commit.slice(0, 10)}${subject ? ` (${subject.length > 50 ? subject.slice(0, 47) + '...' : subject})` : ''}`;
}

/** Paths with control characters, quotes or backslashes are shown JSON-quoted, so a newline cannot forge a message line. */
export function quotePath(path: string): string {
  const needsQuotes = [...path].some((char) => char.charCodeAt(0) < 0x20 || char === '"' || char === '\\' || char === '\x7f');
  return needsQuotes ? JSON.stringify(path) : path;
}

function directoryOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? '(top level)' : path.slice(0, slash + 1);
}

/** One block per violation (or a summary past LIST_LIMIT), then each involved team's patterns and what to do. */
export function formatViolations(policy: Policy, violations: Violation[], options: FormatOptions = {}): string[] {
  const lines: string[] = [];
  const shown = violations.slice(0, LIST_LIMIT);
  for (const violation of shown) {
    const where = violation.ref ? `${violation.ref.replace(/^refs\/heads\//, '')} ` : '';
    lines.push(`  ${where}${commitLabel(violation, options.subjects)}: ${quotePath(violation.path)}`);
    lines.push(`      ${reasonText(policy, violation)}`);
  }
  if (violations.length > shown.length) {
    lines.push(`  ... and ${violations.length - shown.length} more. By directory:`);
    const counts = new Map<string, number>();
    for (const violation of violations) counts.set(directoryOf(violation.path), (counts.get(directoryOf(violation.path)) ?? 0) + 1);
    const sorted = [...counts].sort((a, b) => b[1] - a[1]);
    for (const [dir, count] of sorted.slice(0, LIST_LIMIT)) lines.push(`    ${String(count).padStart(7)}  ${quotePath(dir)}`);
    if (sorted.length > LIST_LIMIT) lines.push(`    (${sorted.length - LIST_LIMIT} more directories)`);
  }
  const teams = [...new Set(violations.map((violation) => violation.team))];
  for (const name of teams) {
    const team = policy.teams.find((candidate) => candidate.name === name);
    if (team) lines.push(`  team ${name} may write: ${describePatterns(team)}  (${team.file})`);
  }
  for (const hint of adviceLines(violations)) lines.push(`  what to do: ${hint}`);
  return lines.map((line) => `${options.prefix ?? ''}${line}`);
}
