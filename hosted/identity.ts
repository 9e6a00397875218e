/**
 * Whom a pull request (or push) is judged for on a host without server hooks. The author's account,
 * mapped by the policy (policy/accounts.ts), decides. A branch name `<team>/…` decides only for a
 * branch of this repository whose author is in no team's accounts (a ruleset on `<team>/**` says who
 * may push there); a branch name never grants a team to a pull request from a fork.
 */
import { accountOwner } from '../policy/accounts';
import type { Policy, Team } from '../policy/types';
import type { ChangeRequest } from './request';

export type Judged =
  | { kind: 'team'; team: Team; why: string }
  | { kind: 'architect'; why: string }
  /** Nobody the policy knows: nothing is in scope, every path is a violation. */
  | { kind: 'nobody'; why: string };

const at = (pos: { file: string; line: number; col: number }) => `${pos.file}:${pos.line}:${pos.col}`;

export function whoIsJudged(policy: Policy, request: ChangeRequest): Judged {
  const who = `@${request.author}`;
  const owner = accountOwner(policy, request.host, request.author);
  const branchTeam = request.headBranch ? policy.teams.find((team) => team.name === request.headBranch!.split('/')[0]) : undefined;
  if (owner?.kind === 'architect') return { kind: 'architect', why: `${who} is an architect account (${at(owner.pos)})` };
  if (owner?.kind === 'team') {
    const other = branchTeam && branchTeam !== owner.team ? `; the branch name ${request.headBranch} names team ${branchTeam.name}, but the author decides` : '';
    return { kind: 'team', team: owner.team, why: `${who} is in team ${owner.team.name}'s accounts (${at(owner.pos)})${other}` };
  }
  if (request.fromFork) {
    const claim = branchTeam ? `; its branch name ${request.headBranch} names team ${branchTeam.name}, which a fork cannot claim` : '';
    return { kind: 'nobody', why: `${who} is in no team's ${request.host} accounts and the commits come from a fork${claim}` };
  }
  if (branchTeam) {
    return { kind: 'team', team: branchTeam, why: `branch ${request.headBranch} of this repository names team ${branchTeam.name} (${who} is in no team's ${request.host} accounts)` };
  }
  return { kind: 'nobody', why: `${who} is in no team's ${request.host} accounts and the branch ${request.headBranch ?? '(unknown)'} names no team` };
}

/** How to give an author a team, for the messages of a "nobody" verdict. */
export function nobodyHint(request: ChangeRequest): string {
  return `list "${request.author}" under accounts: ${request.host}: in the team's CLAUDE.md front-matter (an architect's change on the protected branch)` +
    (request.fromFork ? ', or open the pull request from a branch <team>/… of this repository' : ', or push to a branch named <team>/…');
}
