/** What kind of ref an update touches, by name alone. */
import { matchPathspecs, parsePathspec } from '../policy/pathspec';
import type { Policy, Team } from '../policy/types';

export type RefKind =
  | { kind: 'protected'; branch: string }
  | { kind: 'team'; team: Team; branch: string }
  | { kind: 'extra-branch'; branch: string }
  | { kind: 'no-namespace'; branch: string }
  | { kind: 'done-tag'; round: number; team: string }
  | { kind: 'bad-round-tag'; reason: string }
  | { kind: 'tag'; tag: string }
  | { kind: 'other' };

const DONE_TAG = /^refs\/tags\/round-([^/]*)\/done\/([^/]+)$/;

export function classifyRef(policy: Policy, ref: string): RefKind {
  if (ref.startsWith('refs/heads/')) {
    const branch = ref.slice('refs/heads/'.length);
    if (policy.coord.protected.includes(branch)) return { kind: 'protected', branch };
    const slash = branch.indexOf('/');
    const team = slash > 0 ? policy.teams.find((candidate) => candidate.name === branch.slice(0, slash)) : undefined;
    if (team) return { kind: 'team', team, branch };
    const extra = policy.coord.extraBranches.map((pattern) => parsePathspec(pattern));
    if (extra.length && matchPathspecs(extra, branch).matched) return { kind: 'extra-branch', branch };
    return { kind: 'no-namespace', branch };
  }
  if (ref.startsWith('refs/tags/')) {
    const done = DONE_TAG.exec(ref);
    if (done) {
      const round = /^[1-9][0-9]{0,8}$/.test(done[1]) ? Number(done[1]) : NaN;
      if (Number.isNaN(round)) return { kind: 'bad-round-tag', reason: `round "${done[1]}" is not a positive integer` };
      return { kind: 'done-tag', round, team: done[2] };
    }
    if (/^refs\/tags\/round-[^/]*\/done(\/|$)/.test(ref)) return { kind: 'bad-round-tag', reason: 'round tags are named round-<N>/done/<team>' };
    return { kind: 'tag', tag: ref.slice('refs/tags/'.length) };
  }
  return { kind: 'other' };
}
