/**
 * Rules about refs themselves (who may update what, fast-forward, deletion, tags), independent of
 * what the commits write. Each rule returns a rejection message or nothing. What binds an update to a
 * person: the host identity in `pusher` mode; otherwise a push certificate (gate/authority.ts), or for
 * a tag the signed tag object that names its own ref.
 */
import type { GitRepo } from '../git/repo';
import { ZERO_OID } from '../git/repo';
import type { Policy, Team } from '../policy/types';
import type { Signers } from '../trust/signers';
import { parseTag } from '../trust/tag';
import { objectSignedBy } from '../trust/verify';
import { isArchitect, teamPrincipals, teamsOfPusher, type Pusher } from '../trust/identity';
import { SIGNED_PUSH_FIX, type CertificateProof } from './authority';
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
  /** The push certificate's verdict (read and verified on first use). */
  certificate: () => Promise<CertificateProof>;
}

export const isDeletion = (update: RefUpdate) => update.new === ZERO_OID;
export const isCreation = (update: RefUpdate) => update.old === ZERO_OID;

/** Is `oid` (a commit or tag) signed by a key of one of `principals` (signers file or OpenPGP keys)? */
export function signedBy(context: RuleContext, oid: string, principals: string[]) {
  return objectSignedBy(context.repo, oid, principals, context.signers, context.env);
}

const reject = (update: RefUpdate, message: string, fix: string): RefRejection => ({ ref: update.ref, message, fix });

/** A push certificate signed for one of `principals`: null when it proves the update, else why not. */
async function certifiedBy(context: RuleContext, principals: string[]): Promise<string | null> {
  const proof = await context.certificate();
  if (!proof.ok) return proof.detail;
  if (principals.includes(proof.principal!)) return null;
  return `the push certificate is signed by ${proof.principal}, not by ${principals.join(' or ')}`;
}

/**
 * A tag object that names its own ref and is signed for `principals`: the object binds itself to the
 * ref, so it cannot be replayed under another name. Null when it proves the update, else why not.
 */
async function tagObjectProves(context: RuleContext, update: RefUpdate, principals: string[]): Promise<string | null> {
  const object = await context.repo.objects().read(update.new);
  if (!object || object.type !== 'tag') return 'it is not an annotated tag';
  const name = update.ref.slice('refs/tags/'.length);
  const tag = parseTag(object.content);
  if (tag.tag !== name) return `the tag object is named "${tag.tag}", not "${name}"`;
  const verdict = await signedBy(context, update.new, principals);
  return verdict.ok ? null : verdict.detail;
}

async function architectMay(context: RuleContext, update: RefUpdate, what: string, options: { tagObject?: boolean } = {}): Promise<RefRejection | null> {
  const { policy, pusher } = context;
  const architects = policy.coord.architects;
  if (policy.coord.identity === 'pusher') {
    if (isArchitect(policy, pusher)) return null;
    return reject(update, `only the architect may ${what} (pusher: ${pusher?.name ?? 'unknown'})`, `ask the architect (${architects.join(', ')}) to do it`);
  }
  const byCertificate = await certifiedBy(context, architects);
  if (byCertificate === null) return null;
  if (options.tagObject && !isDeletion(update)) {
    const byTag = await tagObjectProves(context, update, architects);
    if (byTag === null) return null;
    return reject(update, `only the architect may ${what}: ${byCertificate}; and as a tag: ${byTag}`,
      `the architect pushes it with a push certificate, or makes it an annotated tag signed with an architect key (git tag -s ${update.ref.slice('refs/tags/'.length)}); ${SIGNED_PUSH_FIX}`);
  }
  return reject(update, `only the architect may ${what}, proved by a push certificate: ${byCertificate}`,
    `the architect pushes it; ${SIGNED_PUSH_FIX} (architect keys: ${architects.join(', ')} in ${policy.coord.signers})`);
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

/**
 * `signature` mode: a deletion or a rewind carries no new commit whose signature could prove it, so it
 * needs the team's (or an architect's) push certificate.
 */
async function signedRewind(context: RuleContext, update: RefUpdate, team: Team, branch: string): Promise<RefRejection | null> {
  const deletion = isDeletion(update);
  if (!deletion && (isCreation(update) || (await context.repo.isAncestor(update.old, update.new)))) return null;
  const principals = [...teamPrincipals(team), ...context.policy.coord.architects];
  const why = await certifiedBy(context, principals);
  if (why === null) return null;
  return reject(update, `${deletion ? 'deleting' : 'rewinding'} ${branch} in signature mode needs a push certificate of team ${team.name} or the architect: ${why}`,
    `${SIGNED_PUSH_FIX} (keys listed for ${principals.join(', ')})`);
}

async function teamRule(context: RuleContext, update: RefUpdate, team: Team, branch: string): Promise<RefRejection | null> {
  if (!pusherMayActFor(context, team)) {
    const mine = teamsOfPusher(context.policy, context.pusher).map((candidate) => `${candidate.name}/…`).join(', ') || 'none';
    return reject(update, `${context.pusher?.name ?? 'unknown pusher'} is not a member of team ${team.name} and may not push ${branch}`,
      `push to your own team's branches (${mine}), or ask the architect to add you to members in ${team.file}`);
  }
  if (isDeletion(update) && context.policy.coord.deleteBranch === 'architect') return architectMay(context, update, `delete ${branch}`);
  if (context.policy.coord.identity === 'signature') return signedRewind(context, update, team, branch);
  return null;
}

async function tagRule(context: RuleContext, update: RefUpdate, tag: string): Promise<RefRejection | null> {
  if (context.policy.coord.otherTags === 'anyone') return null;
  return architectMay(context, update, `push the tag ${tag}`, { tagObject: true });
}

/** The ref-level verdict on one update; null when the ref rules allow it (scope is judged separately). */
export async function refRule(context: RuleContext, update: RefUpdate, kind: RefKind): Promise<RefRejection | null> {
  switch (kind.kind) {
    case 'protected': return protectedRule(context, update, kind.branch);
    case 'team': return teamRule(context, update, kind.team, kind.branch);
    case 'extra-branch': return null;
    case 'extra-ref': return null;
    case 'no-namespace': {
      const teams = context.policy.teams.map((team) => `${team.name}/…`).join(', ');
      return reject(update, `branch ${kind.branch} is outside every team namespace`, `push to a team branch (${teams}), or ask the architect to list it under coord.extra-branches`);
    }
    case 'done-tag': return (await import('./done-tags')).doneTagRule(context, update, kind.round, kind.team);
    case 'start-tag': return (await import('./start-tag')).startTagRule(context, update, kind.round);
    case 'bad-round-tag': return reject(update, `malformed round tag: ${kind.reason}`, 'name it refs/tags/round-<N>/done/<team> with N a positive integer');
    case 'tag': return tagRule(context, update, kind.tag);
    case 'denied': return reject(update, kind.reason, kind.fix);
  }
}
