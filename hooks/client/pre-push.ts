/**
 * The pre-push hook: the gate's verdict on each pushed team branch, computed in the clone before
 * anything leaves it. Catches what `git commit --no-verify` let through. For every update of
 * `refs/heads/<team>/…` on the remote: the commits being pushed (the local tip minus what the remote
 * already has, i.e. refs/remotes/<remote>/* and the protected branch) and the net change from the
 * merge-base with the protected branch, judged for the team that owns the REMOTE ref name
 * (gate/range.ts judgeRange, as `coord-hooks check` does). Refs only the architect may update get a
 * warning, and refuse the push in a team clone.
 */
import type { CommandIO } from '../../core/io';
import { GitRepo, ZERO_OID, type RefInfo } from '../../git/repo';
import type { RangeSpec } from '../../gate/range';
import type { RefKind } from '../../gate/refs';
import type { Violation } from '../../gate/scope';
import type { Policy } from '../../policy/types';
import { readAll } from '../../core/stream';
import { cloneTeam, configuredTeam, failureLines, skipHint } from './clone';

export const REFUSED = 'push refused by coord-hooks pre-push (the server would reject it too)';

export interface PushLine {
  localRef: string;
  localOid: string;
  remoteRef: string;
  remoteOid: string;
}

/** Lines `<local ref> <local oid> <remote ref> <remote oid>` (git's pre-push input). */
export function parsePushLines(input: string): PushLine[] {
  return input.split('\n').filter((line) => line.trim()).map((line) => {
    const [localRef, localOid, remoteRef, remoteOid] = line.trim().split(' ');
    if (!localRef || !localOid || !remoteRef || !remoteOid) throw new Error(`malformed pre-push input line: ${JSON.stringify(line)}`);
    return { localRef, localOid, remoteRef, remoteOid };
  });
}

/** Commits the remote already has, as far as this clone knows: its remote-tracking refs, the protected branch, the remote's old tip. */
async function remoteHas(repo: GitRepo, trackingRefs: Promise<RefInfo[]>, protectedOids: string[], remoteOids: string[]): Promise<string[]> {
  const tracking = await trackingRefs;
  const known = new Set([...tracking.filter((ref) => ref.type === 'commit').map((ref) => ref.oid), ...protectedOids]);
  for (const oid of remoteOids) {
    if (oid !== ZERO_OID && !known.has(oid) && (await repo.resolve(`${oid}^{commit}`))) known.add(oid);
  }
  return [...known];
}

/** Why the server will refuse this ref unless the architect pushes it; null when a team may push it. */
function architectOnly(policy: Policy, remoteRef: string, kind: RefKind): string | null {
  switch (kind.kind) {
    case 'protected': return `${remoteRef} is a protected branch: only the architect updates it (a signed push, fast-forward)`;
    case 'no-namespace': return `${remoteRef} is outside every team namespace (${policy.teams.map((team) => `${team.name}/…`).join(', ')})`;
    case 'tag': return policy.coord.otherTags === 'architect' ? `${remoteRef}: only the architect pushes tags other than round tags` : null;
    case 'start-tag': return `${remoteRef}: only the architect starts a round (coord-hooks announce)`;
    case 'denied': return `${remoteRef}: ${kind.reason}`;
    // extra-branch: allowed; done-tag / bad-round-tag: the server has the last word (TODO(rounds): check done tags here).
    default: return null;
  }
}

export async function runPrePush(args: string[], io: CommandIO): Promise<number> {
  const remote = args[0] ?? 'origin';
  const repo = new GitRepo(io.cwd, io.env);
  try {
    const updates = parsePushLines(await readAll(io.stdin)).filter((update) => update.localOid !== ZERO_OID); // deletions: skipped
    if (updates.length === 0) return 0;
    // The remote-tracking refs depend on nothing else: listed while the policy is located.
    const trackingRefs = /^[\w.-]+$/.test(remote) ? repo.listRefs([`refs/remotes/${remote}/`]) : Promise.resolve([]);
    trackingRefs.catch(() => undefined); // awaited below
    // A team branch among the updates ends in one diff-tree of its commits: started now (GitRepo.close ends it unused).
    if (updates.some((update) => /^refs\/heads\/[^/]+\/./.test(update.remoteRef))) repo.prepareDiff();
    const [{ locatePolicy, protectedTips }, { classifyRef }, { judgeRange, resolveRange }, { formatViolations, shownCommits }] = await Promise.all([
      import('../../policy/locate'), import('../../gate/refs'), import('../../gate/range'), import('../../gate/messages'),
    ]);
    // The policy branch pushed with a policy that does not validate: refused here, as the server would.
    const { policyBranch } = await import('../../policy/locate');
    const branchRef = `refs/heads/${await policyBranch(repo)}`;
    const policyUpdate = updates.find((update) => update.remoteRef === branchRef);
    const { policyProblems, problemLines } = await import('./policy-check');
    const pushedProblems = policyUpdate ? await policyProblems(repo, policyUpdate.localOid) : [];
    if (pushedProblems.length) {
      io.err([...problemLines(`the policy pushed to ${branchRef.slice('refs/heads/'.length)}`, pushedProblems), REFUSED].join('\n') + '\n');
      return 1;
    }
    // While the policy on the branch is broken, the only push that helps is its fix: judge by the fix.
    const { policy, source, commit } = await locatePolicy(repo).catch(async (error: unknown) => {
      const { PolicyError } = await import('../../policy/problems');
      if (!(error instanceof PolicyError) || !policyUpdate) throw error;
      io.err(`coord-hooks: the policy on ${branchRef.slice('refs/heads/'.length)} does not validate; this push brings a valid one, so it is judged by that (the server accepts it from an architect, pushed alone and signed)\n`);
      return locatePolicy(repo, policyUpdate.localOid);
    });
    const byArchitect = (await import('../../gate/commits')).signatureProof(repo, policy, commit, io.env);
    const { roundOfBranch } = await import('../../policy/round-names');
    const configured = await configuredTeam(repo);
    const teamClone = configured ? await cloneTeam(policy, configured, null) : null;
    const bases = await protectedTips(repo);
    const exclude = await remoteHas(repo, trackingRefs, bases.map((base) => base.oid), updates.map((update) => update.remoteOid));

    const warnings: string[] = [];
    const violations: Violation[] = [];
    let judged = 0;
    for (const update of updates) {
      const kind = classifyRef(policy, update.remoteRef);
      if (kind.kind !== 'team') {
        const why = architectOnly(policy, update.remoteRef, kind);
        if (why) warnings.push(why);
        continue;
      }
      const resolved = await resolveRange(repo, update.localOid, bases);
      const range: RangeSpec = { ...resolved, exclude, label: update.remoteRef };
      const round = roundOfBranch(kind.branch, kind.team.name) ?? undefined;
      const verdict = await judgeRange(repo, policy, kind.team, range, { round, byArchitect });
      judged += verdict.commits;
      violations.push(...verdict.violations.map((violation) => ({ ...violation, ref: update.remoteRef })));
    }

    const refuseForRefs = warnings.length > 0 && teamClone !== null;
    if (warnings.length) {
      io.err([
        `coord-hooks: the server will reject ${warnings.length === 1 ? 'this update' : 'these updates'} unless you are the architect:`,
        ...warnings.map((warning) => `  ${warning}`),
        teamClone ? `  this clone works for team ${teamClone.name}: push to ${teamClone.name}/… instead` : '  (no team configured in this clone: pushing anyway)',
      ].join('\n') + '\n');
    }
    if (violations.length) {
      const subjects = await repo.subjects(shownCommits(violations));
      io.err([
        `coord-hooks: ${violations.length} write${violations.length === 1 ? '' : 's'} outside the owning team's scope in ${judged} pushed commit(s) (policy from ${source}):`,
        ...formatViolations(policy, violations, { subjects }),
      ].join('\n') + '\n');
    }
    if (violations.length || refuseForRefs) {
      io.err(`${REFUSED}\n`);
      return 1;
    }
    return 0;
  } catch (error) {
    io.err([...failureLines('pre-push', error),
      'coord-hooks: the push was stopped because the check could not run (client hooks fail closed);',
      `  ${skipHint('push')}`].join('\n') + '\n');
    return 1;
  } finally {
    repo.close();
  }
}
