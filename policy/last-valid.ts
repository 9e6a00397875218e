/**
 * The last policy on a branch that validates: the newest commit on the tip's first-parent history
 * (at most `limit` back) whose policy loads. What the gate trusts while the policy on the branch is
 * broken (gate/policy-recovery.ts), and what `status`/`report` show by meanwhile.
 */
import type { GitRepo } from '../git/repo';
import { loadPolicyFromTree, type TreePolicy } from './load-tree';
import { PolicyError } from './problems';

export const HISTORY_LIMIT = 200;

/** Null when no commit within the limit has a valid policy. Errors other than policy problems propagate. */
export async function lastValidTreePolicy(repo: GitRepo, tip: string, cacheDir?: string, limit = HISTORY_LIMIT): Promise<TreePolicy | null> {
  for (const commit of await repo.firstParents(tip, limit)) {
    try {
      return await loadPolicyFromTree(repo, commit, cacheDir);
    } catch (error) {
      if (!(error instanceof PolicyError)) throw error;
    }
  }
  return null;
}
