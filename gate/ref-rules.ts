/**
 * Rules about refs themselves (who may update what, fast-forward, deletion, tags), independent of
 * what the commits write. Each rule returns a rejection message or nothing.
 */
import type { GitRepo } from '../git/repo';
import { ZERO_OID } from '../git/repo';
import type { Policy, Team } from '../policy/types';
import type { Signers } from '../trust/signers';
import { objectSignedBy } from '../trust/verify';
import { isArchitect, teamsOfPusher, type Pusher } from '../trust/identity';
import type { RefKind } from './refs';

export interface RefUpdate {
  old: string;
  new: string;
  ref: string;
}

export interface RefRejection {
  ref: string;
  message: string;
  fix: string;
}

export interface RuleContext {
  repo: GitRepo;
  policy: Policy;
  pusher: Pusher | null;
  /** Keys from the protected branch before the push. */
  signers: Signers;
  /** Every update of the push (done-tags may point at a branch updated in the same push). */
  updates: RefUpdate[];
  env: NodeJS.ProcessEnv;
}

export const isDeletion = (update: RefUpdate) => update.new === ZERO_OID;
export const isCreation = (update: RefUpdate) => update.old === ZERO_OID;

/** Is `oid` (a commit or tag) signed by a key of one of `principals` (signers file or OpenPGP keys)? */
export function signedBy(context: RuleContext, oid: string, principals: string[]) {
  return objectSignedBy(context.repo, oid, principals, context.signers, context.env);
}

const reject = (update: RefUpdate, message: string, fix: string): RefRejection => ({ ref: update.ref, message, fix });

async function architectMay(context: RuleContext, update: RefUpdate, what: string): Promise<RefRejection | null> {
  const { policy, pusher } = context;
  if (policy.coord.identity === 'pusher') {
    if (isArchitect(policy, pusher)) return null;
    return reject(update, `only the architect may ${what} (pusher: ${pusher?.name ?? 'unknown'})`,
      `ask the architect (${policy.coord.architects.join(', ')}) to do it`);
  }
  if (isDeletion(update)) return reject(update, `only the architect may ${what}, and a deletion carries no signature to prove it`, 'an administrator can delete it on the server');
  const verdict = await signedBy(context, update.new, policy.coord.architects);
  if (verdict.ok) return null;
  return reject(update, `only the architect may ${what}: ${verdict.detail}`,
    `the architect signs the commit or tag (git commit -S / git merge -S / git tag -s) with a key listed for ${policy.coord.architects.join(' or ')} in ${policy.coord.signers}`);
}

async function protectedRule(context: RuleContext, update: RefUpdate, branch: string): Promise<RefRejection | null> {
  if (isDeletion(update)) return reject(update, `the protected branch ${branch} cannot be deleted`, 'nothing to do: protected branches stay');
  if (!isCreation(update) && !(await context.repo.isAncestor(update.old, update.new))) {
    return reject(update, `non-fast-forward update of the protected branch ${branch}`, `fetch and merge ${branch} first; history on ${branch} is never rewritten`);
  }
  // Also on bootstrap: the first push must come from an architect of the policy it brings.
  return architectMay(context, update, `update the protected branch ${branch}`);
}

function pusherMayActFor(context: RuleContext, team: Team): boolean {
  if (context.policy.coord.identity !== 'pusher') return true;
  return isArchitect(context.policy, context.pusher) || teamsOfPusher(context.policy, context.pusher).some((candidate) => candidate.name === team.name);
}

async function teamRule(context: RuleContext, update: RefUpdate, team: Team, branch: string): Promise<RefRejection | null> {
  if (!pusherMayActFor(context, team)) {
    const mine = teamsOfPusher(context.policy, context.pusher).map((candidate) => `${candidate.name}/…`).join(', ') || 'none';
    return reject(update, `${context.pusher?.name ?? 'unknown pusher'} is not a member of team ${team.name} and may not push ${branch}`,
      `push to your own team's branches (${mine}), or ask the architect to add you to members in ${team.file}`);
  }
  if (isDeletion(update) && context.policy.coord.deleteBranch === 'architect') return architectMay(context, update, `delete ${branch}`);
  return null;
}

async function tagRule(context: RuleContext, update: RefUpdate, tag: string): Promise<RefRejection | null> {
  if (context.policy.coord.otherTags === 'anyone') return null;
  return architectMay(context, update, `push the tag ${tag}`);
}

/** The ref-level verdict on one update; null when the ref rules allow it (scope is judged separately). */
export async function refRule(context: RuleContext, update: RefUpdate, kind: RefKind): Promise<RefRejection | null> {
  switch (kind.kind) {
    case 'protected': return protectedRule(context, update, kind.branch);
    case 'team': return teamRule(context, update, kind.team, kind.branch);
    case 'extra-branch': return null;
    case 'no-namespace': {
      const teams = context.policy.teams.map((team) => `${team.name}/…`).join(', ');
      return reject(update, `branch ${kind.branch} is outside every team namespace`, `push to a team branch (${teams}), or ask the architect to list it under coord.extra-branches`);
    }
    case 'done-tag': return (await import('./done-tags')).doneTagRule(context, update, kind.round, kind.team);
    case 'bad-round-tag': return reject(update, `malformed round tag: ${kind.reason}`, 'name it refs/tags/round-<N>/done/<team> with N a positive integer');
    case 'tag': return tagRule(context, update, kind.tag);
    case 'other': return architectMay(context, update, `update ${update.ref}`);
  }
}
