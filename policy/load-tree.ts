/**
 * Loads the policy from a git tree (the server has no work tree): lists every CLAUDE.md with one
 * diff-tree against the empty tree (it supports glob pathspecs, ls-tree does not) and reads the
 * blobs through the repository's cat-file batch process.
 */
import type { GitRepo } from '../git/repo';
import { EMPTY_TREE } from '../git/repo';
import { CoordError } from '../core/errors';
import { readCachedPolicy, writeCachedPolicy } from './cache';
import { PolicyError } from './problems';
import type { Policy, PolicyFile, PolicyProblem } from './types';

export interface TreePolicy {
  policy: Policy;
  warnings: PolicyProblem[];
  /** The commit the policy was read from. */
  commit: string;
}

export async function readPolicyFiles(repo: GitRepo, commit: string): Promise<PolicyFile[]> {
  const entries = await repo.changedPathsBetween(EMPTY_TREE, commit, [':(glob)**/CLAUDE.md']);
  const objects = repo.objects();
  const blobs = entries.filter((entry) => entry.dstMode.startsWith('100'));
  const texts = await Promise.all(blobs.map((entry) => objects.readBlobText(entry.dstOid)));
  return blobs.map((entry, index) => {
    const text = texts[index];
    // A policy file that cannot be read must never read as "no policy here": that would drop a team.
    if (text === null) {
      throw new CoordError(`cannot read ${entry.path} (blob ${entry.dstOid.slice(0, 12)}) of ${commit.slice(0, 12)}`, {
        hint: 'the repository is missing objects: run `git fsck` on it and restore it from a backup or a clone',
      });
    }
    return { path: entry.path, text };
  });
}

/**
 * Throws PolicyError (exit 2) naming file:line:col for every problem. With `cacheDir` (a git dir), a
 * valid policy is cached by commit (policy/cache.ts) and a hit costs no git process and no YAML parser.
 */
export async function loadPolicyFromTree(repo: GitRepo, commit: string, cacheDir?: string): Promise<TreePolicy> {
  const cached = cacheDir ? readCachedPolicy(cacheDir, commit) : null;
  if (cached) return { ...cached, commit };
  const files = await readPolicyFiles(repo, commit);
  const { buildPolicy } = await import('./build');
  const { policy, problems, warnings } = buildPolicy(files);
  if (!policy) throw new PolicyError(problems, `the policy on ${commit.slice(0, 12)}`);
  if (cacheDir) writeCachedPolicy(cacheDir, commit, policy, warnings);
  return { policy, warnings, commit };
}
