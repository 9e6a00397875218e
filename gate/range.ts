/**
 * The gate's verdict on a range of commits in a clone (for `check`, CI and pre-push): every commit of
 * the range judged against one team, plus the range's net change (what merging it would bring).
 */
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import type { Policy, Team } from '../policy/types';
import { judgeCommits, judgeContext, judgeNetChange, netChangeIsCovered } from './commits';
import { NET_CHANGE, type Actor, type JudgeContext, type Violation } from './scope';

export interface RangeSpec {
  /** Commits to include (tips). */
  include: string[];
  /** Commits to exclude (their ancestors are not judged). */
  exclude: string[];
  /** Base of the net change, or null for the empty tree: started at once, awaited only when the net change is judged. */
  netBase: Promise<string | null>;
  netTip: string;
  label: string;
}

export interface RangeVerdict {
  team: string;
  range: string;
  commits: number;
  violations: Violation[];
}

/** A protected ref of the clone and the commit it holds (policy/locate.ts protectedTips). */
export interface ProtectedTip {
  ref: string;
  oid: string;
}

/**
 * `A..B` or a single revision `B` (meaning: the commits of B not on the protected branch, whose refs
 * and commits `protectedTips` gives as one for-each-ref listed them).
 */
export async function resolveRange(repo: GitRepo, text: string, protectedTips: ProtectedTip[]): Promise<RangeSpec> {
  const dots = text.indexOf('..');
  if (text.includes('...')) throw new CoordError(`range "${text}": symmetric ranges (A...B) are not supported`, { hint: 'use A..B or a single revision' });
  if (dots >= 0) {
    const from = text.slice(0, dots) || 'HEAD';
    const to = text.slice(dots + 2) || 'HEAD';
    const fromOid = await mustResolve(repo, from);
    const toOid = await mustResolve(repo, to);
    return { include: [toOid], exclude: [fromOid], netBase: started(repo.mergeBase(fromOid, toOid)), netTip: toOid, label: text };
  }
  const tip = await mustResolve(repo, text);
  // origin/main and main often hold the same commit: one merge-base for both.
  const bases = [...new Set(protectedTips.map((protectedTip) => protectedTip.oid))];
  const shortNames = protectedTips.map((protectedTip) => protectedTip.ref.replace(/^refs\/(heads|remotes)\//, ''));
  const label = shortNames.length ? `${text} (commits not on ${shortNames.join(', ')})` : text;
  return { include: [tip], exclude: bases, netBase: started(newestMergeBase(repo, tip, bases)), netTip: tip, label };
}

/** A promise awaited later: its failure is reported there, not as an unhandled rejection meanwhile. */
function started<T>(work: Promise<T>): Promise<T> {
  work.catch(() => undefined);
  return work;
}

async function mustResolve(repo: GitRepo, rev: string): Promise<string> {
  const oid = await repo.resolve(`${rev}^{commit}`);
  if (!oid) throw new CoordError(`no commit named "${rev}" in this repository`, { hint: 'check the revision with `git rev-parse`' });
  return oid;
}

/** The merge-base of `tip` with whichever protected ref is newest (a fetched origin/main may be ahead of main). */
async function newestMergeBase(repo: GitRepo, tip: string, bases: string[]): Promise<string | null> {
  const candidates = await Promise.all(bases.map((base) => repo.mergeBase(tip, base)));
  let best: string | null = null;
  for (const candidate of candidates) {
    if (candidate && candidate !== best && (!best || (await repo.isAncestor(best, candidate)))) best = candidate;
  }
  return best;
}

export interface RangeOptions {
  /** Set when the range is the team's round branch: its REPLY.md / ANNOUNCEMENT.md exceptions apply. */
  round?: number;
  byArchitect?: JudgeContext['byArchitect'];
}

export async function judgeRange(repo: GitRepo, policy: Policy, team: Team, range: RangeSpec, options: RangeOptions = {}): Promise<RangeVerdict> {
  const context = judgeContext(repo, policy, options.byArchitect);
  const actor: Actor = { kind: 'team', team, round: options.round };
  const graph = await repo.revListParents(range.include, range.exclude);
  const owners = new Map<string, Actor[]>([...graph.keys()].reverse().map((commit) => [commit, [actor]]));
  const verdict = await judgeCommits(repo, context, owners);
  const netBase = await range.netBase;
  const net = netChangeIsCovered(graph, range.netTip, netBase) ? [] : await judgeNetChange(repo, context, actor, netBase, range.netTip, NET_CHANGE);
  // A net-change violation that some commit already shows adds nothing for the reader.
  const seen = new Set(verdict.violations.map((violation) => `${violation.path}\0${violation.reason}`));
  const extra = net.filter((violation) => !seen.has(`${violation.path}\0${violation.reason}`));
  return { team: team.name, range: range.label, commits: verdict.commits, violations: [...verdict.violations, ...extra] };
}
