/**
 * The pre-receive verdict on a whole push: every new tree validated as git's fsck would, ref rules for
 * every update (deny by default; names that would be ambiguous), then every commit that enters a
 * team's branches (one rev-list per team, one diff-tree stream) judged for that team. All or nothing.
 */
import type { GitRepo, RefInfo } from '../git/repo';
import { PolicyError } from '../policy/problems';
import type { Policy } from '../policy/types';
import { architectBySignature, judgeCommits, judgeContext } from './commits';
import { hostPusher, isArchitect, type Pusher } from '../trust/identity';
import { pushCertificates } from './authority';
import { ambiguousNames } from './ref-names';
import { classifyRef } from './refs';
import { isDeletion, refRule, type RefRejection, type RefUpdate, type RuleContext } from './ref-rules';
import type { JudgeContext, Violation } from './scope';
import { teamCommits, type TeamTip } from './team-commits';
import { findMalformedTrees } from './tree-check';
import { CoordError } from '../core/errors';
import { requireTeamSignatures } from './signature-mode';
import { invalidPolicyUpdate, loadPolicyAt, planRecovery, type LoadedPolicy, type Recovery } from './policy-recovery';
import { roundOfBranch } from '../policy/round-names';

export interface PushVerdict {
  ok: boolean;
  policy: Policy;
  pusher: Pusher | null;
  rejections: RefRejection[];
  violations: Violation[];
  /** Commits judged (every commit that entered a team's branches). */
  commits: number;
  /** Owning team (or "architect") per ref, for the audit log. */
  owners: Record<string, string>;
}

export function parseUpdates(input: string): RefUpdate[] {
  return input.split('\n').filter((line) => line.trim()).map((line) => {
    const [old, next, ref] = line.trim().split(' ');
    if (!old || !next || !ref) throw new CoordError(`malformed pre-receive input line: ${JSON.stringify(line)}`);
    return { old, new: next, ref };
  });
}

/**
 * The policy as it was before the push; in an empty repository, from the push that creates the branch.
 * When the policy on the branch does not validate, the push can only be its fix (gate/policy-recovery.ts).
 */
async function policyBeforePush(repo: GitRepo, policyBranch: string, updates: RefUpdate[], listed: Promise<RefInfo[]>, cacheDir?: string): Promise<{ loaded: LoadedPolicy; recovery?: Recovery; bootstrap?: boolean }> {
  const ref = `refs/heads/${policyBranch}`;
  // The branch as the early listing found it; git peels anything but a plain commit.
  const entry = (await listed).find((candidate) => candidate.name === ref);
  const tip = entry?.type === 'commit' ? entry.oid : entry ? (await repo.objects().read(`${ref}^{commit}`))?.oid ?? null : null;
  if (tip === null) {
    const creation = updates.find((update) => update.ref === ref && !isDeletion(update));
    if (!creation) {
      throw new CoordError(`this repository has no ${policyBranch} branch yet, so it has no policy`, {
        exitCode: 1, hint: `push ${policyBranch} with a valid policy (CLAUDE.md front-matter) first; see docs/policy.md`,
      });
    }
    // A bootstrap policy (not yet on the branch) is never cached: the push may still be rejected.
    return { loaded: await loadPolicyAt(repo, creation.new), bootstrap: true };
  }
  try {
    return { loaded: await loadPolicyAt(repo, tip, cacheDir) };
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    const recovery = await planRecovery(repo, policyBranch, tip, error, updates, cacheDir);
    return { loaded: recovery.next, recovery };
  }
}

export interface PushOptions {
  /** Where the compiled policy is cached (the git directory); none for a bootstrap policy. */
  cacheDir?: string;
  /** Where used push-certificate nonces are recorded (the git directory). */
  ledgerDir: string;
  /** receive-pack already refused malformed objects (receive.fsckObjects, not weakened): skip the gate's own pass. */
  gitChecksObjects?: boolean;
  /** The one host variable that names the pusher (server setting coord-hooks.pusherVariable). */
  pusherVariable?: string;
}

/** Teams the pushed branch names point to (`refs/heads/<team>/…`, not deleted): a guess, for work started early. */
function guessedTeams(updates: RefUpdate[]): string[] {
  const teams = new Set<string>();
  for (const update of updates) {
    const match = /^refs\/heads\/([^/]+)\/./.exec(update.ref);
    if (match && !isDeletion(update)) teams.add(match[1]);
  }
  return [...teams];
}

export async function judgePush(repo: GitRepo, updates: RefUpdate[], env: NodeJS.ProcessEnv, policyBranch: string, options: PushOptions): Promise<PushVerdict> {
  // New trees depend on nothing but the updates: validate them while the policy loads.
  const newTips = updates.filter((update) => !isDeletion(update)).map((update) => update.new);
  const malformed = options.gitChecksObjects ? Promise.resolve([]) : findMalformedTrees(repo, newTips);
  malformed.catch(() => undefined); // awaited below; a failure there rejects the push
  // The policy branch and the refs of the teams the pushed names point to, in one for-each-ref started now;
  // teamCommits asks for the same listing when the guess was right (one process fewer, and earlier).
  const guessed = guessedTeams(updates);
  const listed = repo.listRefsOnce([...guessed.map((team) => `refs/heads/${team}/`), `refs/heads/${policyBranch}`]);
  listed.catch(() => undefined); // awaited below
  // A push of team branches ends in one diff-tree: started now, its start-up overlaps the work before it.
  if (guessed.length) repo.prepareDiff();
  const { loaded, recovery, bootstrap } = await policyBeforePush(repo, policyBranch, updates, listed, options.cacheDir);
  const { policy } = loaded;
  // Keys that prove who pushes: the branch's before the push; while it is broken, those of its last valid policy.
  const trusted = recovery?.trusted ?? loaded;
  const signers = trusted.signers;
  const pusher = policy.coord.identity === 'pusher' ? hostPusher(env, options.pusherVariable) : null;
  if (policy.coord.identity === 'pusher' && !pusher) {
    throw new CoordError('identity mode is "pusher" but the host supplied no pusher (GL_USER, GL_USERNAME, GITEA_PUSHER_NAME, REMOTE_USER, GITHUB_USER_LOGIN are all unset)', {
      exitCode: 1, hint: 'push through the authenticated host (ssh with a forced command, smart HTTP with auth, gitolite), or set coord.identity: ref in the policy',
    });
  }
  const certificates = pushCertificates(repo, trusted.policy, signers, env, updates, options.ledgerDir);
  if (recovery) {
    const why = await recovery.prove(certificates.proof, env, options.pusherVariable);
    if (why) {
      await certificates.settle();
      throw recovery.refuse(why);
    }
  }
  const context: RuleContext = { repo, policy, pusher, signers, env, updates, certificate: certificates.proof };
  const verdict = (rejections: RefRejection[], violations: Violation[] = [], commits = 0): PushVerdict => ({
    ok: rejections.length === 0 && violations.length === 0, policy, pusher, rejections, violations, commits, owners,
  });
  const owners: Record<string, string> = {};

  // Objects git itself refuses are judged before any path: their paths would not mean what they say.
  const treeProblems = await malformed;
  if (treeProblems.length) {
    return verdict(treeProblems.map((problem) => ({
      ref: 'new objects', message: `malformed tree (fsck: ${problem.check}): ${problem.message}`,
      fix: 'make the commits again with ordinary git commands (git itself refuses such trees); nothing was judged further',
    })));
  }

  // What each ref is and which commits the teams answer for depend on the policy alone: the git work
  // behind them (for-each-ref, rev-list) starts now and runs while the ref rules are checked.
  const kinds = updates.map((update) => classifyRef(policy, update.ref));
  const tips: TeamTip[] = [];
  updates.forEach((update, index) => {
    const kind = kinds[index];
    owners[update.ref] = kind.kind === 'team' ? kind.team.name : kind.kind === 'protected' ? 'architect' : kind.kind;
    if (kind.kind === 'team' && !isDeletion(update)) {
      const round = roundOfBranch(kind.branch, kind.team.name) ?? undefined;
      tips.push({ tip: update.new, actor: { kind: 'team', team: kind.team, round }, ref: update.ref });
    }
  });
  const started = [ambiguousNames(repo, policy, updates), teamCommits(repo, policy, tips)] as const;
  for (const work of started) work.catch(() => undefined); // awaited below; a failure there rejects the push
  const ruleRejections: RefRejection[] = [];
  for (const [index, update] of updates.entries()) {
    const rejection = await refRule(context, update, kinds[index]);
    if (rejection) ruleRejections.push(rejection);
  }
  const rejections: RefRejection[] = [...(await started[0]), ...ruleRejections];
  // A policy that does not validate never lands: it would lock every push out, the architect's too.
  const invalid = recovery ? null : await invalidPolicyUpdate(repo, updates, policyBranch, bootstrap ? null : loaded);
  if (invalid) rejections.push(invalid);

  // Messages name the first ref of the team that brought a commit in.
  const refOf = (team: string) => tips.find((tip) => tip.actor.team.name === team)?.ref ?? '';
  const commitOwners = await started[1];
  if (policy.coord.identity === 'signature') rejections.push(...(await requireTeamSignatures(context, commitOwners, refOf)));
  const judge = judgeContext(repo, policy, architectProof(repo, context));
  const judged = await judgeCommits(repo, judge, commitOwners);
  await certificates.settle();
  return verdict(rejections, judged.violations.map((violation) => ({ ...violation, ref: refOf(violation.team) || undefined })), judged.commits);
}

/**
 * Whether a commit provably comes from the architect: the host says the architect pushes (`pusher`
 * mode), or the commit is signed by an architect key, or the push carries the architect's certificate.
 */
function architectProof(repo: GitRepo, context: RuleContext): JudgeContext['byArchitect'] {
  const { policy, signers, env, pusher } = context;
  if (policy.coord.identity === 'pusher') return async () => isArchitect(policy, pusher);
  const bySignature = architectBySignature(repo, policy, signers, env);
  return async (commit) => {
    if (await bySignature(commit)) return true;
    const proof = await context.certificate();
    return proof.ok && policy.coord.architects.includes(proof.principal!);
  };
}
