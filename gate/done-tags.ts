/**
 * Round done-tags on the server: `refs/tags/round-<N>/done/<team>` must be a new, annotated tag named
 * like its ref, signed by a key of <team>, pointing at a commit on one of <team>'s branches as they
 * will be after this push. Done tags are immutable: never moved, never deleted.
 */
import { doneTagName } from '../policy/round-names';
import { verifyDoneTag } from '../trust/verify';
import { isArchitect, teamsOfPusher } from '../trust/identity';
import { isCreation, isDeletion, type RefRejection, type RefUpdate, type RuleContext } from './ref-rules';

/** Tips of the team's branches after the push: existing refs with this push's updates applied. */
async function teamTipsAfterPush(context: RuleContext, team: string): Promise<string[]> {
  const prefix = `refs/heads/${team}/`;
  const tips = new Map((await context.repo.listRefs([prefix])).map((ref) => [ref.name, ref.oid]));
  for (const update of context.updates) {
    if (!update.ref.startsWith(prefix)) continue;
    if (isDeletion(update)) tips.delete(update.ref);
    else tips.set(update.ref, update.new);
  }
  return [...tips.values()];
}

export async function doneTagRule(context: RuleContext, update: RefUpdate, round: number, team: string): Promise<RefRejection | null> {
  const name = doneTagName(round, team);
  const reject = (message: string, fix: string): RefRejection => ({ ref: update.ref, message, fix });
  if (!context.policy.teams.some((candidate) => candidate.name === team)) {
    return reject(`no team "${team}" in the policy`, `teams are: ${context.policy.teams.map((candidate) => candidate.name).join(', ')}`);
  }
  if (isDeletion(update)) return reject(`done tags are immutable: ${name} cannot be deleted`, 'a finished round stays finished; signal the next round instead');
  if (!isCreation(update)) return reject(`done tags are immutable: ${name} cannot be moved`, `delete your local tag (git tag -d ${name}) and fetch the server's: git fetch origin tag ${name}`);
  if (context.policy.coord.identity === 'pusher' && !isArchitect(context.policy, context.pusher)
    && !teamsOfPusher(context.policy, context.pusher).some((candidate) => candidate.name === team)) {
    return reject(`${context.pusher?.name ?? 'unknown pusher'} is not a member of team ${team} and may not signal its rounds`, `signal your own team's round: coord-hooks signal-done --round ${round}`);
  }
  const verdict = await verifyDoneTag(context.repo, update.new, round, team, context.signers, context.env);
  if (!verdict.ok) {
    return reject(`${name}: ${verdict.detail}`, `sign it with a key the architect lists for "${team}" in ${context.policy.coord.signers}: coord-hooks keys --team ${team}; then coord-hooks signal-done --round ${round}`);
  }
  const target = verdict.tag!.object;
  for (const tip of await teamTipsAfterPush(context, team)) {
    if (await context.repo.isAncestor(target, tip)) return null;
  }
  return reject(`${name} points at ${target.slice(0, 10)}, which is on none of team ${team}'s branches`, `push the commit on a ${team}/… branch (in the same push is fine), then tag it`);
}
