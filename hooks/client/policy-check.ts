/**
 * The client side of "a policy that does not validate never lands" (gate/policy-recovery.ts is the
 * server's, and its rules are used here): pre-commit refuses a staged policy that does not validate,
 * pre-push a push of the policy branch whose policy does not. Loaded only when a policy file is staged
 * or the policy branch pushed.
 */
import type { GitRepo } from '../../git/repo';
import { formatProblems, POLICY_DOC } from '../../policy/problems';
import type { PolicyProblem } from '../../policy/types';

/** Policy files: every CLAUDE.md, and the keys under .coord/ (the signers file's usual home). */
export const isPolicyPath = (path: string) => path === 'CLAUDE.md' || path.endsWith('/CLAUDE.md') || path.startsWith('.coord/');

/** The policy problems of a tree-ish (its signers file too); [] when it validates. Other errors propagate (fail closed). */
export async function policyProblems(repo: GitRepo, treeish: string): Promise<PolicyProblem[]> {
  const { policyProblemsAt } = await import('../../gate/policy-recovery');
  return policyProblemsAt(repo, treeish, null);
}

/**
 * The warnings of a tree-ish's policy (overlapping scopes, patterns that select nothing in that tree,
 * team-like files without front-matter: policy/overlap.ts), for a policy that validates. They do not
 * stop a commit.
 */
export async function policyWarningLines(repo: GitRepo, treeish: string): Promise<string[]> {
  const [{ loadPolicyFromTree }, { policyWarnings }] = await Promise.all([import('../../policy/load-tree'), import('../../policy/locate')]);
  const loaded = await loadPolicyFromTree(repo, treeish);
  const warnings = await policyWarnings(repo, { ...loaded, source: 'staged' });
  if (warnings.length === 0) return [];
  return [
    `coord-hooks: the staged policy validates, with ${warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`} (the commit goes on):`,
    ...warnings.map((warning) => `  ${warning.file}:${warning.line}:${warning.col}: warning: ${warning.message}`),
  ];
}

/** Lines that say what does not validate and how to go on. */
export function problemLines(what: string, problems: PolicyProblem[]): string[] {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return [
    `coord-hooks: ${what} does not validate (${count}); on the protected branch it would lock every push out:`,
    ...formatProblems(problems).split('\n').map((line) => `  ${line}`),
    `  check it with \`coord-hooks explain --policy-from worktree\`; every key and error: ${POLICY_DOC}`,
  ];
}
