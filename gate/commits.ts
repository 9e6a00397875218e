/**
 * Judges many commits in one pass: one diff-tree process streams what each commit writes, and every
 * write is judged against each actor that owns the commit (a commit can reach several pushed refs).
 */
import { EMPTY_TREE, type GitRepo } from '../git/repo';
import { loadSigners, type Signers } from '../trust/signers';
import { objectSignedBy } from '../trust/verify';
import type { LinkReaders } from './links';
import { judgeWrite, judgeWriteFast, type Actor, type JudgeContext, type Violation, type Write } from './scope';

export interface CommitVerdicts {
  violations: Violation[];
  /** Commits judged. */
  commits: number;
  /** Writes judged (path × actor). */
  writes: number;
}

export function judgeContext(repo: GitRepo, policy: JudgeContext['policy'], byArchitect: JudgeContext['byArchitect'] = async () => false): JudgeContext {
  // The cat-file process starts only when a blob is needed (a CLAUDE.md, a symlink): most commits need none.
  // Symlink resolution is loaded only when a symlink is judged: pre-commit and most pushes have none.
  let links: Promise<LinkReaders> | null = null;
  const lazyLinks = () => (links ??= import('./links').then((module) => module.linkReaders(repo)));
  return { policy, readBlob: (oid) => repo.objects().readBlobText(oid), byArchitect, links: lazyLinks };
}

/**
 * Architect proof for a clone's verdict: signatures against the keys of the policy's commit (none for
 * a work-tree policy). The keys are read only when a commit must be proved (an ANNOUNCEMENT.md on a
 * round branch): most checks and pushes never need them.
 */
export function signatureProof(repo: GitRepo, policy: JudgeContext['policy'], commit: string | undefined, env: NodeJS.ProcessEnv): JudgeContext['byArchitect'] | undefined {
  if (!commit) return undefined;
  let proof: Promise<JudgeContext['byArchitect']> | null = null;
  return async (candidate) => {
    proof ??= loadSigners(repo, commit, policy).then((signers) => architectBySignature(repo, policy, signers, env));
    return (await proof)(candidate);
  };
}

/** Memoised: is this commit signed by an architect key (signers of the protected branch)? */
export function architectBySignature(repo: GitRepo, policy: JudgeContext['policy'], signers: Signers, env: NodeJS.ProcessEnv): JudgeContext['byArchitect'] {
  const memo = new Map<string, Promise<boolean>>();
  return (commit) => {
    if (!memo.has(commit)) memo.set(commit, objectSignedBy(repo, commit, policy.coord.architects, signers, env).then((result) => result.ok));
    return memo.get(commit)!;
  };
}

export async function judgeCommits(
  repo: GitRepo,
  context: JudgeContext,
  owners: Map<string, Actor[]>,
): Promise<CommitVerdicts> {
  const result: CommitVerdicts = { violations: [], commits: 0, writes: 0 };
  await repo.diffCommits(owners.keys(), async (diff) => {
    result.commits += 1;
    const actors = owners.get(diff.commit) ?? [];
    for (const entry of diff.entries) {
      const write: Write = { commit: diff.commit, path: entry.path, mode: entry.dstMode, oid: entry.dstOid, root: diff.commit };
      for (const actor of actors) {
        result.writes += 1;
        // undefined: the fast path cannot decide (a blob or a proof is needed); null: allowed.
        const fast = judgeWriteFast(context, actor, write);
        const violation = fast === undefined ? await judgeWrite(context, actor, write) : fast;
        if (violation) result.violations.push(violation);
      }
    }
  });
  return result;
}

/**
 * Whether judging the commits already judged the net change from `base` to `tip`: true when every
 * commit between them is in `graph` (the commits being judged), i.e. the new commits reachable from
 * `tip` have no parent outside the graph but `base` (none at all when `base` is null). Each path that
 * differs between base and tip was then written by one of those commits, so the second diff adds
 * nothing. Otherwise (a branch pointing at, or merging, commits judged elsewhere) it must be judged.
 */
export function netChangeIsCovered(graph: Map<string, string[]>, tip: string, base: string | null): boolean {
  if (!graph.has(tip)) return false;
  const seen = new Set<string>();
  const stack = [tip];
  while (stack.length) {
    const commit = stack.pop()!;
    if (seen.has(commit)) continue;
    seen.add(commit);
    for (const parent of graph.get(commit)!) {
      if (graph.has(parent)) stack.push(parent);
      else if (parent !== base) return false;
    }
  }
  return true;
}

/** The net change from `base` (a commit, or null for the empty tree) to `tip`, judged for `actor`. */
export async function judgeNetChange(
  repo: GitRepo,
  context: JudgeContext,
  actor: Actor,
  base: string | null,
  tip: string,
  label: string,
): Promise<Violation[]> {
  const changes = await repo.changedPathsBetween(base ?? EMPTY_TREE, tip);
  const violations: Violation[] = [];
  for (const change of changes) {
    const write = { commit: label, path: change.path, mode: change.dstMode, oid: change.dstOid, root: tip };
    const fast = judgeWriteFast(context, actor, write);
    const violation = fast === undefined ? await judgeWrite(context, actor, write) : fast;
    if (violation) violations.push(violation);
  }
  return violations;
}
