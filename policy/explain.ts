/** Who may write a path, and which pattern in which file decides it. */
import { matchPathspecs } from './pathspec';
import type { Pattern, Policy, Team } from './types';

export interface TeamDecision {
  team: Team;
  allowed: boolean;
  /** The positive pattern that admits the path, when allowed. */
  by?: Pattern;
  /** The exclude pattern that removes the path, when one does. */
  excludedBy?: Pattern;
}

export interface Explanation {
  path: string;
  policyFile: boolean;
  decisions: TeamDecision[];
}

export function decideForTeam(team: Team, path: string): TeamDecision {
  const result = matchPathspecs(team.write.map((pattern) => pattern.spec), path);
  const find = (spec: unknown) => team.write.find((pattern) => pattern.spec === spec);
  return { team, allowed: result.matched, by: find(result.by), excludedBy: find(result.excludedBy) };
}

/** Teams whose write scope admits the path. */
export function owningTeams(policy: Policy, path: string): Team[] {
  return policy.teams.filter((team) => decideForTeam(team, path).allowed);
}

/** Policy files (every CLAUDE.md with front-matter, the signers file, anything under .coord/) are architect-only. */
export function isPolicyFile(policy: Policy, path: string): boolean {
  return policy.policyFiles.includes(path) || path === policy.coord.signers || path.startsWith('.coord/');
}

export function explainPath(policy: Policy, path: string): Explanation {
  return { path, policyFile: isPolicyFile(policy, path), decisions: policy.teams.map((team) => decideForTeam(team, path)) };
}

export function describePatterns(team: Team): string {
  return team.write.map((pattern) => pattern.text).join(', ');
}
