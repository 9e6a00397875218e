/**
 * `refs/tags/round-<N>/start`: the architect's signal that round N began, whose `expect:` line says
 * which teams the round waits for. Immutable like done-tags; an annotated tag named like its ref and
 * pointing at a commit, signed by an architect key (in `pusher` mode: pushed by the architect).
 */
import { startTagName } from '../policy/round-names';
import { isArchitect } from '../trust/identity';
import { parseTag } from '../trust/tag';
import { isCreation, isDeletion, signedBy, type RefRejection, type RefUpdate, type RuleContext } from './ref-rules';

export async function startTagRule(context: RuleContext, update: RefUpdate, round: number): Promise<RefRejection | null> {
  const name = startTagName(round);
  const { policy } = context;
  const reject = (message: string, fix: string): RefRejection => ({ ref: update.ref, message: `${name}: ${message}`, fix });
  if (isDeletion(update)) return reject('round start tags are immutable: it cannot be deleted', 'an administrator can delete it on the server');
  if (!isCreation(update)) return reject('round start tags are immutable: it cannot be moved', `fetch the server's: git fetch origin tag ${name}`);
  const announce = `the architect announces the round: coord-hooks announce --round ${round} …`;
  if (policy.coord.identity === 'pusher' && !isArchitect(policy, context.pusher)) {
    return reject(`only the architect may start a round (pusher: ${context.pusher?.name ?? 'unknown'})`, announce);
  }
  const object = await context.repo.objects().read(update.new);
  if (!object || object.type !== 'tag') return reject(`a lightweight tag; round start tags are annotated (and signed)`, announce);
  const tag = parseTag(object.content);
  if (tag.tag !== name) return reject(`the tag object is named "${tag.tag}", not "${name}"`, announce);
  if (tag.type !== 'commit') return reject(`it points at a ${tag.type}, not a commit`, announce);
  if (policy.coord.identity === 'pusher') return null;
  const verdict = await signedBy(context, update.new, policy.coord.architects);
  if (verdict.ok) return null;
  return reject(`only the architect may start a round: ${verdict.detail}`, `${announce} with a signing key listed for ${policy.coord.architects.join(' or ')} in ${policy.coord.signers}`);
}
