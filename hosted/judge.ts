/**
 * The verdict on a pull request (or push) in a CI checkout: the base branch's current tip fetched at
 * run time, the commits of the head that are not on it (so commits of the base that a team merged
 * into its branch are never the team's), their net change from the merge-base, all judged against the
 * policy of that tip for whoever hosted/identity.ts says the author is.
 */
import { CoordError, errorMessage } from '../core/errors';
import { signatureProof } from '../gate/commits';
import { judgeRange, type RangeSpec } from '../gate/range';
import type { Violation } from '../gate/scope';
import type { GitRepo } from '../git/repo';
import { loadPolicyFromTree } from '../policy/load-tree';
import { roundOfBranch } from '../policy/round-names';
import type { Policy, Team } from '../policy/types';
import { whoIsJudged, type Judged } from './identity';
import type { ChangeRequest, QueueRequest } from './request';

export const REMOTE = 'origin';

export interface HostedVerdict {
  ok: boolean;
  request: ChangeRequest;
  judged: Judged;
  policy: Policy;
  /** "origin/main" */
  policySource: string;
  /** The commit the policy was read from. */
  policyTip: string;
  baseTip: string;
  mergeBase: string | null;
  range: string;
  commits: number;
  /** Authors of the judged commits ("Name <email>"), for "whose commits" when others pushed. */
  commitAuthors: string[];
  violations: Violation[];
  /** Things the reader should know (a fetch that failed and what was used instead). */
  notes: string[];
}

/**
 * git's environment for talking to the host: with a token (the action's `token` input, never written
 * to .git/config) an Authorization header for the server's URLs only, as actions/checkout sends it.
 */
export function fetchEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const token = env.COORD_HOOKS_TOKEN;
  const server = env.GITHUB_SERVER_URL;
  if (!token || !server) return env;
  const basic = Buffer.from(`x-access-token:${token}`).toString('base64');
  const count = Number(env.GIT_CONFIG_COUNT ?? '0') || 0;
  return { ...env, GIT_CONFIG_COUNT: String(count + 1), [`GIT_CONFIG_KEY_${count}`]: `http.${server.replace(/\/$/, '')}/.extraheader`, [`GIT_CONFIG_VALUE_${count}`]: `AUTHORIZATION: basic ${basic}` };
}

async function hasCommit(repo: GitRepo, oid: string): Promise<boolean> {
  return (await repo.resolve(`${oid}^{commit}`)) !== null;
}

async function fetchRef(repo: GitRepo, env: NodeJS.ProcessEnv, refspec: string): Promise<string | null> {
  try {
    await repo.run(['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', REMOTE, refspec], { env: fetchEnv(env) });
    return null;
  } catch (error) {
    return errorMessage(error).split('\n').slice(0, 2).join(' ');
  }
}

/** The base branch's tip as the host has it now; the checkout's copy only when the host cannot be reached (said in a note). */
export async function currentBase(repo: GitRepo, env: NodeJS.ProcessEnv, branch: string, notes: string[]): Promise<string> {
  const tracking = `refs/remotes/${REMOTE}/${branch}`;
  const failure = await fetchRef(repo, env, `+refs/heads/${branch}:${tracking}`);
  const tip = await repo.resolve(`${tracking}^{commit}`);
  if (!tip) {
    throw new CoordError(`cannot fetch the base branch ${branch} from ${REMOTE}${failure ? `: ${failure}` : ''}`, {
      hint: 'check out with actions/checkout (fetch-depth: 0) before this step; for a private repository keep the action\'s token input (github.token, contents: read)',
    });
  }
  if (failure) notes.push(`could not fetch ${branch} from ${REMOTE} (${failure}): judged against the checkout's ${REMOTE}/${branch} ${tip.slice(0, 10)}, which may be older`);
  return tip;
}

/** The head commit, fetched from the base repository's pull-request ref when the checkout lacks it. Never checked out. */
export async function headCommit(repo: GitRepo, env: NodeJS.ProcessEnv, head: string, headRef: string | undefined): Promise<string> {
  if (await hasCommit(repo, head)) return head;
  const failure = headRef ? await fetchRef(repo, env, `+${headRef}:refs/coord-hooks/head`) : 'no ref to fetch it from';
  if (await hasCommit(repo, head)) return head;
  throw new CoordError(`commit ${head} is not in this checkout${failure ? ` (fetching it failed: ${failure})` : ''}`, {
    hint: 'use actions/checkout with fetch-depth: 0 (GitLab: GIT_DEPTH "0") before this step',
  });
}

/** Judged as nobody: a team that may write nothing, so every path is reported. */
function nobodyTeam(): Team {
  return { name: '(no team)', file: '', write: [], read: [], members: [], pos: { file: '', line: 0, col: 0 } };
}

export async function judgeRequest(repo: GitRepo, env: NodeJS.ProcessEnv, request: ChangeRequest): Promise<HostedVerdict> {
  const notes: string[] = [];
  const baseTip = await currentBase(repo, env, request.baseBranch, notes);
  const head = await headCommit(repo, env, request.head, request.headRef);
  // A pull request into a team branch is judged by the protected branch's policy, not by whatever that branch says.
  const policyTip = request.policyBranch === request.baseBranch ? baseTip : await currentBase(repo, env, request.policyBranch, notes);
  const policySource = `${REMOTE}/${request.policyBranch}`;
  const { policy } = await loadPolicyFromTree(repo, policyTip);
  const judged = whoIsJudged(policy, request);
  const mergeBase = await repo.mergeBase(baseTip, head);
  const label = `${request.headBranch ? `${request.headBranch} ` : ''}${head.slice(0, 10)} (commits not on ${REMOTE}/${request.baseBranch} ${baseTip.slice(0, 10)})`;
  const range: RangeSpec = { include: [head], exclude: [baseTip], netBase: Promise.resolve(mergeBase), netTip: head, label };
  const [verdict, commitAuthors] = await Promise.all([judgeFor(repo, env, policy, policyTip, judged, request, range), authorsOf(repo, head, baseTip)]);
  return { ok: verdict.violations.length === 0, request, judged, policy, policySource, policyTip, baseTip, mergeBase, range: label, commits: verdict.commits, commitAuthors, violations: verdict.violations, notes };
}

async function judgeFor(repo: GitRepo, env: NodeJS.ProcessEnv, policy: Policy, policyTip: string, judged: Judged, request: ChangeRequest, range: RangeSpec) {
  if (judged.kind === 'architect') return { commits: (await repo.revListParents(range.include, range.exclude)).size, violations: [] };
  const team = judged.kind === 'team' ? judged.team : nobodyTeam();
  const round = judged.kind === 'team' && request.headBranch ? roundOfBranch(request.headBranch, team.name) ?? undefined : undefined;
  return judgeRange(repo, policy, team, range, { round, byArchitect: signatureProof(repo, policy, policyTip, env) });
}

async function authorsOf(repo: GitRepo, head: string, baseTip: string): Promise<string[]> {
  const { stdout } = await repo.run(['log', '-z', '--format=%aN <%aE>', head, `^${baseTip}`, '--']);
  const counts = new Map<string, number>();
  for (const author of stdout.toString('utf8').split('\0').filter(Boolean)) counts.set(author, (counts.get(author) ?? 0) + 1);
  return [...counts].map(([author, count]) => `${author} (${count})`);
}

export interface QueueVerdict {
  ok: boolean;
  message: string;
}

/**
 * A merge-queue group: GitHub builds it from pull requests that each passed the required check on their
 * own head, on top of the base. Checked here: the group is the queue's branch for this base and
 * descends from the base commit it names; its pull requests are not judged again (the event does not
 * say who wrote them).
 */
export async function checkQueue(repo: GitRepo, env: NodeJS.ProcessEnv, request: QueueRequest): Promise<QueueVerdict> {
  const prefix = `refs/heads/gh-readonly-queue/${request.baseBranch}/`;
  if (!request.headRef.startsWith(prefix)) {
    return { ok: false, message: `merge group ${request.headRef} is not a merge-queue branch of ${request.baseBranch} (${prefix}…)` };
  }
  const head = await headCommit(repo, env, request.head, request.headRef);
  await headCommit(repo, env, request.base, `refs/heads/${request.baseBranch}`);
  if (!(await repo.isAncestor(request.base, head))) {
    return { ok: false, message: `merge group ${head.slice(0, 10)} does not descend from its base ${request.base.slice(0, 10)}` };
  }
  const prs = [...request.headRef.slice(prefix.length).matchAll(/pr-([0-9]+)-/g)].map((match) => `#${match[1]}`);
  return { ok: true, message: `merge group ${head.slice(0, 10)} on ${request.baseBranch} (up to pull request ${prs.join(', ') || '?'}): each pull request in it passed this check on its own head; nothing new to judge` };
}
