/**
 * The pre-receive verdict on a whole push: ref rules for every update, then every new commit of the
 * push (one rev-list, one diff-tree stream) judged for the team that owns each update, then each team
 * branch's net change against its merge-base with the protected branch. All or nothing.
 */
import type { GitRepo } from '../git/repo';
import { loadPolicyFromTree } from '../policy/load-tree';
import type { Policy } from '../policy/types';
import { architectBySignature, judgeCommits, judgeContext, judgeNetChange, netChangeIsCovered } from './commits';
import { hostPusher, isArchitect, type Pusher } from '../trust/identity';
import { classifyRef, type RefKind } from './refs';
import { isDeletion, refRule, type RefRejection, type RefUpdate, type RuleContext } from './ref-rules';
import { NET_CHANGE, type Actor, type Violation } from './scope';
import { CoordError } from '../core/errors';
import { requireTeamSignatures } from './signature-mode';
import { loadSigners, type Signers } from '../trust/signers';
import { roundOfBranch } from '../policy/round-names';

export interface PushVerdict {
  ok: boolean;
  policy: Policy;
  pusher: Pusher | null;
  rejections: RefRejection[];
  violations: Violation[];
  /** New commits judged. */
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

interface LoadedPolicy {
  policy: Policy;
  protectedTip: string | null;
  signers: Signers;
}

/** The policy as it was before the push; in an empty repository, from the push that creates the branch. */
async function policyBeforePush(repo: GitRepo, policyBranch: string, updates: RefUpdate[], cacheDir?: string): Promise<LoadedPolicy> {
  const ref = `refs/heads/${policyBranch}`;
  const tip = (await repo.objects().read(`${ref}^{commit}`))?.oid ?? null;
  let source = tip;
  if (tip === null) {
    const creation = updates.find((update) => update.ref === ref && !isDeletion(update));
    if (!creation) {
      throw new CoordError(`this repository has no ${policyBranch} branch yet, so it has no policy`, {
        exitCode: 1, hint: `push ${policyBranch} with a valid policy (CLAUDE.md front-matter) first; see docs/policy.md`,
      });
    }
    source = creation.new;
  }
  // A bootstrap policy (not yet on the branch) is never cached: the push may still be rejected.
  const loaded = await loadPolicyFromTree(repo, source!, tip === null ? undefined : cacheDir);
  const signers = await loadSigners(repo, source!, loaded.policy);
  return { policy: loaded.policy, protectedTip: tip, signers };
}

/** For each new commit, the actors owning it: walk back from each update's new tip inside the push's new commits. */
function attribute(graph: Map<string, string[]>, tips: { tip: string; actor: Actor }[]): Map<string, Actor[]> {
  const owners = new Map<string, Actor[]>();
  for (const { tip, actor } of tips) {
    const stack = [tip];
    const seen = new Set<string>();
    while (stack.length) {
      const commit = stack.pop()!;
      if (seen.has(commit) || !graph.has(commit)) continue;
      seen.add(commit);
      const list = owners.get(commit) ?? [];
      list.push(actor);
      owners.set(commit, list);
      stack.push(...graph.get(commit)!);
    }
  }
  // Oldest first reads better in messages; rev-list gives newest first.
  return new Map([...graph.keys()].reverse().filter((commit) => owners.has(commit)).map((commit) => [commit, owners.get(commit)!]));
}

export async function judgePush(repo: GitRepo, updates: RefUpdate[], env: NodeJS.ProcessEnv, policyBranch: string, cacheDir?: string): Promise<PushVerdict> {
  // The push's new commits depend on nothing but the updates: list them while the policy loads.
  const newTips = updates.filter((update) => !isDeletion(update)).map((update) => update.new);
  const graphPromise = newTips.length ? repo.revListParents(newTips.map((tip) => `${tip}^{}`), [], true) : Promise.resolve(new Map<string, string[]>());
  graphPromise.catch(() => undefined); // awaited below; a failure there rejects the push
  const { policy, protectedTip, signers } = await policyBeforePush(repo, policyBranch, updates, cacheDir);
  const pusher = policy.coord.identity === 'pusher' ? hostPusher(env) : null;
  if (policy.coord.identity === 'pusher' && !pusher) {
    throw new CoordError('identity mode is "pusher" but the host supplied no pusher (GL_USER, GL_USERNAME, GITEA_PUSHER_NAME, REMOTE_USER, GITHUB_USER_LOGIN are all unset)', {
      exitCode: 1, hint: 'push through the authenticated host (ssh with a forced command, smart HTTP with auth, gitolite), or set coord.identity: ref in the policy',
    });
  }
  const context: RuleContext = { repo, policy, pusher, signers, env, updates };
  const rejections: RefRejection[] = [];
  const owners: Record<string, string> = {};
  const tips: { tip: string; actor: Actor; ref: string }[] = [];
  const kinds = new Map<string, RefKind>();
  for (const update of updates) {
    const kind = classifyRef(policy, update.ref);
    kinds.set(update.ref, kind);
    const rejection = await refRule(context, update, kind);
    if (rejection) rejections.push(rejection);
    owners[update.ref] = kind.kind === 'team' ? kind.team.name : kind.kind === 'protected' ? 'architect' : kind.kind;
    if (kind.kind === 'team' && !isDeletion(update)) {
      const round = roundOfBranch(kind.branch, kind.team.name) ?? undefined;
      tips.push({ tip: update.new, actor: { kind: 'team', team: kind.team, round }, ref: update.ref });
    }
  }

  const graph = await graphPromise;
  const commitOwners = attribute(graph, tips);
  if (policy.coord.identity === 'signature') {
    const refOf = (team: string) => tips.find((tip) => tip.actor.kind === 'team' && tip.actor.team.name === team)?.ref ?? '';
    rejections.push(...(await requireTeamSignatures(context, commitOwners, refOf)));
  }
  const byArchitect = policy.coord.identity === 'pusher'
    ? async () => isArchitect(policy, pusher)
    : architectBySignature(repo, policy, signers, env);
  const judge = judgeContext(repo, policy, byArchitect);
  const verdict = await judgeCommits(repo, judge, commitOwners);
  const violations = verdict.violations.map((violation) => ({ ...violation, ref: tips.find((tip) => tip.actor.kind === 'team' && tip.actor.team.name === violation.team)?.ref }));

  for (const { tip, actor, ref } of tips) {
    const base = protectedTip ? await repo.mergeBase(tip, protectedTip) : null;
    if (netChangeIsCovered(graph, tip, base)) continue;
    const net = await judgeNetChange(repo, judge, actor, base, tip, NET_CHANGE);
    const seen = new Set(violations.filter((violation) => violation.ref === ref).map((violation) => violation.path));
    for (const violation of net) if (!seen.has(violation.path)) violations.push({ ...violation, ref });
  }
  return { ok: rejections.length === 0 && violations.length === 0, policy, pusher, rejections, violations, commits: verdict.commits, owners };
}
