/**
 * Which policy and which team apply in a clone. The policy is read, like the server does, from the
 * protected branch (the remote-tracking copy when there is one), or from the work tree on request.
 */
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { loadPolicyFromTree } from './load-tree';
import type { Policy, PolicyProblem, Team } from './types';

export interface LocatedPolicy {
  policy: Policy;
  warnings: PolicyProblem[];
  /** Where it came from, for messages: "origin/main", "work tree", ... */
  source: string;
  /** The commit it was read from (absent for the work tree). */
  commit?: string;
}

/** Branch the policy lives on: git config coord-hooks.branch, default main. */
export async function policyBranch(repo: GitRepo): Promise<string> {
  return (await repo.configGet('coord-hooks.branch')) ?? 'main';
}

const fileSettings = new Map<string, Promise<import('./settings').ToolSettings>>();

/**
 * A clone setting: git config `coord-hooks.<key>` (what `install --team` writes) wins; else the
 * settings file found by cosmiconfig (loaded only then: it costs start-up time); else the default.
 */
export async function cloneSetting(repo: GitRepo, key: 'remote' | 'team'): Promise<string | undefined> {
  const fromGit = await repo.configGet(`coord-hooks.${key}`);
  if (fromGit) return fromGit;
  if (!fileSettings.has(repo.cwd)) {
    fileSettings.set(repo.cwd, import('./settings').then(async ({ loadSettings }) => (await loadSettings(repo.cwd)).settings));
  }
  return (await fileSettings.get(repo.cwd)!)[key];
}

export async function remoteName(repo: GitRepo): Promise<string> {
  return (await cloneSetting(repo, 'remote')) ?? 'origin';
}

/** Refs that hold the protected branch in this clone, newest source first. */
export async function protectedRefs(repo: GitRepo, branch?: string): Promise<string[]> {
  const name = branch ?? (await policyBranch(repo));
  const remote = await remoteName(repo);
  const refs = [`refs/remotes/${remote}/${name}`, `refs/heads/${name}`];
  const present = await Promise.all(refs.map((ref) => repo.resolve(ref)));
  return refs.filter((_, index) => present[index] !== null);
}

/** `from`: "worktree", a revision, or undefined for the protected branch (work tree when it does not exist yet). */
export async function locatePolicy(repo: GitRepo, from?: string): Promise<LocatedPolicy> {
  if (from === 'worktree') return fromWorktree(repo);
  if (from) {
    const commit = await repo.resolve(`${from}^{commit}`);
    if (!commit) throw new CoordError(`--policy-from ${from}: no such commit`, { hint: 'name a branch or commit, or "worktree"' });
    return { ...(await loadPolicyFromTree(repo, commit)), source: from };
  }
  const [ref] = await protectedRefs(repo);
  if (!ref) return fromWorktree(repo);
  const commit = (await repo.resolve(ref))!;
  return { ...(await loadPolicyFromTree(repo, commit)), source: ref.replace(/^refs\/(remotes|heads)\//, '') };
}

async function fromWorktree(repo: GitRepo): Promise<LocatedPolicy> {
  const { loadPolicyFromWorktree } = await import('./load-worktree');
  const { policy, warnings } = await loadPolicyFromWorktree(repo.cwd);
  return { policy, warnings, source: 'work tree' };
}

export function findTeam(policy: Policy, name: string): Team {
  const team = policy.teams.find((candidate) => candidate.name === name);
  if (!team) {
    const known = policy.teams.map((candidate) => candidate.name).join(', ') || '(none)';
    throw new CoordError(`no team "${name}" in the policy`, { hint: `teams are: ${known}` });
  }
  return team;
}

/** --team, else this clone's configured team, else the branch name's first component. */
export async function resolveTeam(repo: GitRepo, policy: Policy, explicit?: string, branch?: string | null): Promise<Team> {
  if (explicit) return findTeam(policy, explicit);
  const configured = await cloneSetting(repo, 'team');
  if (configured) return findTeam(policy, configured);
  const current = branch === undefined ? await repo.currentBranch() : branch;
  const prefix = current?.split('/')[0];
  const team = policy.teams.find((candidate) => candidate.name === prefix);
  if (team) return team;
  throw new CoordError(`cannot tell which team this is${current ? ` (branch "${current}" is not <team>/…)` : ''}`, {
    hint: 'pass --team T, or run `coord-hooks install --team T` in this clone, or work on a branch named <team>/…',
  });
}
