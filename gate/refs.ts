/**
 * What kind of ref an update touches, by name alone. Refs are deny-by-default: a name that is none of
 * the kinds a rule allows (team branches, protected branches, extra branches, round tags, other tags,
 * coord.extra-refs) is `denied`, with the setting that would allow it.
 */
import { matchPathspecs, parsePathspec } from '../policy/pathspec';
import { parseStartTagRef } from '../policy/round-names';
import type { Policy, Team } from '../policy/types';

export type RefKind =
  | { kind: 'protected'; branch: string }
  | { kind: 'team'; team: Team; branch: string }
  | { kind: 'extra-branch'; branch: string }
  | { kind: 'no-namespace'; branch: string }
  | { kind: 'done-tag'; round: number; team: string }
  | { kind: 'start-tag'; round: number }
  | { kind: 'bad-round-tag'; reason: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'extra-ref' }
  | { kind: 'denied'; reason: string; fix: string };

const DONE_TAG = /^refs\/tags\/round-([^/]*)\/done\/([^/]+)$/;

const matches = (patterns: string[], name: string) => patterns.length > 0 && matchPathspecs(patterns.map((pattern) => parsePathspec(pattern)), name).matched;

function classifyTag(ref: string): RefKind {
  const done = DONE_TAG.exec(ref);
  if (done) {
    const round = /^[1-9][0-9]{0,8}$/.test(done[1]) ? Number(done[1]) : NaN;
    if (Number.isNaN(round)) return { kind: 'bad-round-tag', reason: `round "${done[1]}" is not a positive integer` };
    return { kind: 'done-tag', round, team: done[2] };
  }
  const start = parseStartTagRef(ref);
  if (start !== null) return { kind: 'start-tag', round: start };
  // Every other round-… tag is reserved: a look-alike must not pass for a round signal.
  if (/^refs\/tags\/round-/.test(ref)) return { kind: 'bad-round-tag', reason: 'round tags are named round-<N>/done/<team> (by a team) or round-<N>/start (by the architect)' };
  return { kind: 'tag', tag: ref.slice('refs/tags/'.length) };
}

function classifyOther(policy: Policy, ref: string): RefKind {
  if (ref.startsWith('refs/replace/')) {
    return { kind: 'denied', reason: 'replace refs make git show one object in place of another to everyone who fetches them; they are never accepted', fix: 'push the commits themselves; an administrator can run `git replace` on the server if it is really wanted' };
  }
  if (ref.startsWith('refs/') && matches(policy.coord.extraRefs, ref)) return { kind: 'extra-ref' };
  const namespace = ref.startsWith('refs/') ? ref.split('/').slice(0, 2).join('/') + '/' : ref;
  return {
    kind: 'denied',
    reason: `refs outside refs/heads/ and refs/tags/ are not accepted unless the policy lists them (${namespace})`,
    fix: `push branches and tags only, or ask the architect to list the namespace under coord.extra-refs (e.g. "${namespace}")`,
  };
}

export function classifyRef(policy: Policy, ref: string): RefKind {
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    if (policy.coord.protected.includes(branch)) return { kind: 'protected', branch };
    const slash = branch.indexOf('/');
    const team = slash > 0 ? policy.teams.find((candidate) => candidate.name === branch.slice(0, slash)) : undefined;
    if (team) return { kind: 'team', team, branch };
    if (matches(policy.coord.extraBranches, branch)) return { kind: 'extra-branch', branch };
    return { kind: 'no-namespace', branch };
  }
  if (ref.startsWith('refs/tags/')) return classifyTag(ref);
  return classifyOther(policy, ref);
}
