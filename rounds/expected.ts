/**
 * Which teams a round waits for: every team of the policy, unless the architect's annotated tag
 * `refs/tags/round-<N>/start` has a message line `expect: fw pm` (names separated by spaces or commas;
 * several such lines add up). Names that are not teams of the policy are kept, so that a typo holds
 * the round open (visibly pending) instead of completing it early.
 */
import type { GitRepo } from '../git/repo';
import type { Policy } from '../policy/types';
import { splitSignedTag } from '../trust/signature';
import { startTagName } from '../policy/round-names';
import { parseTag } from '../trust/tag';


/** The teams an `expect:` line names, in the order written, or null when the message has none. */
export function parseExpect(message: string): string[] | null {
  let found: string[] | null = null;
  for (const line of message.split('\n')) {
    const match = /^\s*expect\s*:(.*)$/i.exec(line);
    if (!match) continue;
    found ??= [];
    for (const name of match[1].split(/[\s,]+/)) if (name && !found.includes(name)) found.push(name);
  }
  return found;
}

/** The `expect:` list of a start-tag object (its signature stripped), or null. */
export function expectFromTagObject(raw: Buffer): string[] | null {
  const signed = splitSignedTag(raw);
  const text = signed ? signed.payload : raw;
  return parseExpect(parseTag(text).message);
}

/** Expected teams given what a start tag says (null: no start tag or no `expect:` line). */
export function teamsFromExpect(policy: Policy, expect: string[] | null): string[] {
  return expect && expect.length > 0 ? expect : policy.teams.map((team) => team.name);
}

/** The teams round `round` waits for, by the start tag in `repo` (one ref lookup, one object read). */
export async function expectedTeams(repo: GitRepo, policy: Policy, round: number): Promise<string[]> {
  const oid = await repo.resolve(`refs/tags/${startTagName(round)}`);
  if (!oid) return teamsFromExpect(policy, null);
  const object = await repo.objects().read(oid);
  return teamsFromExpect(policy, object && object.type === 'tag' ? expectFromTagObject(object.content) : null);
}
