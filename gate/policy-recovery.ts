/**
 * No one is locked out by a policy that does not validate.
 *
 * - An update of the policy branch must bring a policy that validates (policy/build.ts), or it is
 *   rejected with every `file:line:col` problem: a typo never reaches the branch through the gate.
 * - A broken policy on the branch anyway (written before this rule, or by a host's web editor) leaves
 *   one way in: a push that updates the policy branch alone, to a commit whose policy validates, by an
 *   architect of the last policy on the branch's first-parent history that did validate (the trust
 *   anchor: the broken commit cannot name its own architects). That push is judged against the new
 *   policy. Every other push is refused with a message that says so and how to do it.
 */
import { CoordError, EXIT_VERDICT } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { loadPolicyFromTree } from '../policy/load-tree';
import { HISTORY_LIMIT, lastValidTreePolicy } from '../policy/last-valid';
import { formatProblems, POLICY_DOC, PolicyError } from '../policy/problems';
import type { Policy, PolicyProblem } from '../policy/types';
import { loadSigners, type Signers } from '../trust/signers';
import { hostPusher, isArchitect } from '../trust/identity';
import { checkSignersFile } from '../trust/signers-check';
import type { CertificateProof } from './authority';
import { isDeletion, type RefRejection, type RefUpdate } from './ref-rules';


export const CHECK_FIRST = '`coord-hooks explain --policy-from worktree` checks a policy before it is committed';

export interface LoadedPolicy {
  policy: Policy;
  signers: Signers;
  /** The commit it was read from. */
  commit: string;
}

/** A push refused because the policy on the branch does not validate (logged as such). */
export class PolicyBrokenError extends CoordError {
  readonly problems: PolicyProblem[];

  constructor(message: string, hint: string, problems: PolicyProblem[]) {
    super(message, { exitCode: EXIT_VERDICT, hint });
    this.name = 'PolicyBrokenError';
    this.problems = problems;
  }
}

const indent = (text: string, pad: string) => text.split('\n').map((line) => pad + line).join('\n');

export async function loadPolicyAt(repo: GitRepo, commit: string, cacheDir?: string): Promise<LoadedPolicy> {
  const { policy } = await loadPolicyFromTree(repo, commit, cacheDir);
  return { policy, signers: await loadSigners(repo, commit, policy), commit };
}

/** The update of the policy branch in this push (not a deletion), if any. */
export function policyBranchUpdate(updates: RefUpdate[], policyBranch: string): RefUpdate | undefined {
  return updates.find((update) => update.ref === `refs/heads/${policyBranch}` && !isDeletion(update));
}

/**
 * The rejection of an update of the policy branch whose resulting policy does not validate; null when
 * it validates (or the push does not update the branch). Other failures (a missing object) propagate:
 * the gate fails closed.
 */
export async function invalidPolicyUpdate(repo: GitRepo, updates: RefUpdate[], policyBranch: string, before: LoadedPolicy | null): Promise<RefRejection | null> {
  const update = policyBranchUpdate(updates, policyBranch);
  if (!update) return null;
  const problems = await policyProblemsAt(repo, update.new, before);
  if (problems.length === 0) return null;
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  return {
    ref: update.ref,
    message: `the policy this update would put on ${policyBranch} does not validate (${count}); it would lock every push out:\n${indent(formatProblems(problems), '  ')}`,
    fix: `fix the files named above and push again (${CHECK_FIRST}; every key and error: ${POLICY_DOC})`,
  };
}

/**
 * Every problem of the policy a tree-ish holds: its CLAUDE.md files, and its signers file unless that
 * is the one of `before`. Errors other than policy problems propagate (fail closed).
 */
export async function policyProblemsAt(repo: GitRepo, treeish: string, before: LoadedPolicy | null): Promise<PolicyProblem[]> {
  try {
    return signersProblems(await loadPolicyAt(repo, treeish), before);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return error.problems;
  }
}

/**
 * A signers file that changed must parse line by line (ssh-keygen skips a line it cannot read, key and
 * all), and where certificates prove the architect it must still hold an architect's key.
 */
function signersProblems(next: LoadedPolicy, before: LoadedPolicy | null): PolicyProblem[] {
  const file = next.policy.coord.signers;
  if (before && before.signers.key === next.signers.key) return [];
  const { problems, principals } = checkSignersFile(file, next.signers.ssh);
  const architects = next.policy.coord.architects;
  const keyed = architects.some((name) => principals.has(name) || principals.has('*') || next.signers.pgp.has(name));
  if (next.policy.coord.identity !== 'pusher' && !keyed) {
    problems.push({ file, line: 1, col: 1, message: `no key of an architect (${architects.join(', ')}) is listed, so no one could sign for the protected branch any more`,
      fix: `keep a line \`<architect> namespaces="git" <public key>\` in ${file} (or .coord/openpgp/<architect>.asc)` });
  }
  return problems;
}

/** The newest commit on `tip`'s first-parent history whose policy validates, with its keys; null when none within the limit. */
export async function lastValidPolicy(repo: GitRepo, tip: string, cacheDir?: string): Promise<LoadedPolicy | null> {
  const found = await lastValidTreePolicy(repo, tip, cacheDir);
  return found && { policy: found.policy, signers: await loadSigners(repo, found.commit, found.policy), commit: found.commit };
}

export interface Recovery {
  /** The policy the push brings (validated): what the push is judged against. */
  next: LoadedPolicy;
  /** The last valid policy before the broken one: whose architects may land the fix, with which keys. */
  trusted: LoadedPolicy;
  /** Whether the fix comes from an architect of `trusted`: null when proved, else why not. */
  prove: (certificate: () => Promise<CertificateProof>, env: NodeJS.ProcessEnv, pusherVariable?: string) => Promise<string | null>;
  /** The refusal to throw when the proof fails. */
  refuse: (why: string) => PolicyBrokenError;
}

/**
 * The policy on `tip` of the policy branch is broken (`broken`). Returns the recovery plan when the
 * push can be the fix (it updates the policy branch alone, to a commit whose policy validates, and a
 * valid policy exists further back); throws PolicyBrokenError otherwise.
 */
export async function planRecovery(repo: GitRepo, policyBranch: string, tip: string, broken: PolicyError, updates: RefUpdate[], cacheDir?: string): Promise<Recovery> {
  const trusted = await lastValidPolicy(repo, tip, cacheDir);
  const refuse = (why: string) => new PolicyBrokenError(
    `the policy on ${policyBranch} (${tip.slice(0, 12)}) does not validate, so pushes cannot be judged; ${why}:\n${indent(formatProblems(broken.problems), '  ')}`,
    recoveryHint(policyBranch, trusted), broken.problems);
  if (!trusted) throw refuse(`no commit among the last ${HISTORY_LIMIT} of ${policyBranch} has a valid policy, so no architect can be proved`);
  const update = policyBranchUpdate(updates, policyBranch);
  if (!update) throw refuse(`only a push that fixes it is accepted`);
  const others = updates.filter((candidate) => candidate !== update);
  if (others.length) throw refuse(`a push that fixes it must update ${policyBranch} alone (push ${others.map((other) => other.ref).join(', ')} after the fix lands)`);
  let next: LoadedPolicy;
  try {
    next = await loadPolicyAt(repo, update.new);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    throw refuse(`the commit pushed to ${policyBranch} does not validate either:\n${indent(formatProblems(error.problems), '  ')}\n  and the policy on ${policyBranch} now`);
  }
  const architects = trusted.policy.coord.architects;
  const prove = async (certificate: () => Promise<CertificateProof>, env: NodeJS.ProcessEnv, pusherVariable?: string): Promise<string | null> => {
    if (trusted.policy.coord.identity === 'pusher') {
      const pusher = hostPusher(env, pusherVariable);
      return isArchitect(trusted.policy, pusher) ? null : `the fix must be pushed by an architect (${architects.join(', ')}); the host says the pusher is ${pusher?.name ?? 'unknown'}`;
    }
    const proof = await certificate();
    if (!proof.ok) return `the fix must carry an architect's push certificate: ${proof.detail}`;
    return architects.includes(proof.principal!) ? null : `the push certificate is signed by ${proof.principal}, not by an architect of the last valid policy (${architects.join(', ')})`;
  };
  return { next, trusted, prove, refuse };
}

function recoveryHint(policyBranch: string, trusted: LoadedPolicy | null): string {
  const lines = [];
  if (trusted) {
    const who = trusted.policy.coord.identity === 'pusher'
      ? `pushed by an architect's host account (${trusted.policy.coord.architects.join(', ')})`
      : `pushed with \`git push --signed\` by an architect (${trusted.policy.coord.architects.join(', ')}, keys in ${trusted.policy.coord.signers} as of ${trusted.commit.slice(0, 12)})`;
    lines.push(`an architect fixes the files above in a commit on ${policyBranch} (${CHECK_FIRST}) and pushes ${policyBranch} alone, ${who}; it is judged against the new policy, and every other push waits until it lands.`);
    lines.push('In the architect\'s clone, `COORD_HOOKS=0 git push --signed origin ' + policyBranch + '` skips the client hooks if they stand in the way.');
  }
  lines.push(`Last resort: an administrator runs \`git config coord-hooks.bypass true\` in the server repository (every push is then unchecked and logged), pushes the fix, and unsets it.`);
  return lines.join(' ');
}
