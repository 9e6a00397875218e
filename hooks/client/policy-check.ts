/**
 * The client side of "a policy that does not validate never lands" (gate/policy-recovery.ts is the
 * server's): pre-commit refuses a staged policy that does not validate, pre-push a push of the policy
 * branch whose policy does not. Loaded only when a policy file is staged or the policy branch pushed.
 */
import type { GitRepo } from '../../git/repo';
import { formatProblems, POLICY_DOC, PolicyError } from '../../policy/problems';

/** Every CLAUDE.md is a policy file (one without front-matter is skipped by the policy, not ignored here). */
export const isPolicyPath = (path: string) => path === 'CLAUDE.md' || path.endsWith('/CLAUDE.md');

/** The policy problems of a tree-ish; null when its policy validates. Other errors propagate (fail closed). */
export async function policyProblems(repo: GitRepo, treeish: string): Promise<PolicyError | null> {
  const { loadPolicyFromTree } = await import('../../policy/load-tree');
  try {
    await loadPolicyFromTree(repo, treeish);
    return null;
  } catch (error) {
    if (error instanceof PolicyError) return error;
    throw error;
  }
}

/** Lines that say what does not validate and how to go on. */
export function problemLines(what: string, error: PolicyError): string[] {
  const count = error.problems.length === 1 ? '1 problem' : `${error.problems.length} problems`;
  return [
    `coord-hooks: ${what} does not validate (${count}); on the protected branch it would lock every push out:`,
    ...formatProblems(error.problems).split('\n').map((line) => `  ${line}`),
    `  check it with \`coord-hooks explain --policy-from worktree\`; every key and error: ${POLICY_DOC}`,
  ];
}
