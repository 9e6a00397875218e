/**
 * Judges many commits in one pass: one diff-tree process streams what each commit writes, and every
 * write is judged against each actor that owns the commit (a commit can reach several pushed refs).
 */
import { EMPTY_TREE, type GitRepo } from '../git/repo';
import { loadSigners, type Signers } from '../trust/signers';
import { objectSignedBy } from '../trust/verify';
import type { LinkReaders } from './links';
import { fastJudge, judgeWrite, judgeWriteFast, NEEDS_JUDGE_WRITE, type Actor, type FastJudge, type JudgeContext, type Violation, type Write } from './scope';

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

/** A path as git's bytes (latin1) back to text, for messages and the slow path. */
const pathText = (bytes: string) => (/^[\x20-\x7e]*$/.test(bytes) ? bytes : Buffer.from(bytes, 'latin1').toString('utf8'));

/**
 * Every path of every commit judged for the commit's actors, straight off git's stream: the fast verdict
 * is synchronous and makes nothing per allowed path; a path that needs a blob or a proof is judged
 * asynchronously without holding up the stream. Violations come out in stream order whatever finished first.
 */
export async function judgeCommits(
  repo: GitRepo,
  context: JudgeContext,
  owners: Map<string, Actor[]>,
): Promise<CommitVerdicts> {
  const result: CommitVerdicts = { violations: [], commits: 0, writes: 0 };
  const found: { at: number; violation: Violation }[] = [];
  let order = 0;
  let commit = '';
  let actors: Actor[] = [];
  let judges: FastJudge[] = [];
  await repo.diffCommits(owners.keys(), {
    commit(oid) {
      result.commits += 1;
      commit = oid;
      actors = owners.get(oid) ?? [];
      judges = actors.map((actor) => fastJudge(context.policy, actor));
    },
    path(record) {
      let slow: Promise<void>[] | undefined;
      for (let index = 0; index < actors.length; index++) {
        result.writes += 1;
        const at = order++;
        const verdict = judges[index](record.pathBytes, record.mode);
        if (verdict === null) continue;
        const actor = actors[index];
        const path = pathText(record.pathBytes);
        if (verdict !== NEEDS_JUDGE_WRITE) {
          if (actor.kind === 'team') found.push({ at, violation: { commit, path, team: actor.team.name, reason: verdict } });
          continue;
        }
        const write: Write = { commit, path, mode: record.mode.toString(8).padStart(6, '0'), oid: record.oid(), root: commit };
        const work = judgeWrite(context, actor, write).then((violation) => { if (violation) found.push({ at, violation }); });
        (slow ??= []).push(work);
      }
      return slow && Promise.all(slow).then(() => undefined);
    },
  });
  result.violations = found.sort((a, b) => a.at - b.at).map((item) => item.violation);
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
