/**
 * Messages agents and people read when a push or a check is refused. Short for one violation,
 * summarised (count per directory, first 20 listed) for thousands.
 */
import { describePatterns, owningTeams } from '../policy/explain';
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
      const owners = owningTeams(policy, violation.path).map((team) => team.name);
      const owner = owners.length ? `; it belongs to ${owners.map((name) => `team ${name}`).join(', ')}` : '; no team may write it';
      return `outside team ${violation.team}'s write scope${owner}`;
    }
  }
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
  const hints: string[] = [];
  if (violations.some((violation) => violation.reason !== 'policy-file')) {
    hints.push('move those changes to the owning team\'s branch (or drop them: `git reset`/`git rebase -i`), or ask the architect to widen the scope in the policy');
  }
  if (violations.some((violation) => violation.reason === 'policy-file')) {
    hints.push('policy files (CLAUDE.md front-matter, .coord/) change only through the architect: send the change as a request');
  }
  for (const hint of hints) lines.push(`  what to do: ${hint}`);
  return lines.map((line) => `${options.prefix ?? ''}${line}`);
}
