/**
 * Which policy and which team apply in a clone. The policy is read, like the server does, from the
 * protected branch (the remote-tracking copy when there is one), or from the work tree on request.
 */
import { existsSync, readdirSync, readFileSync } from 'fs';
import { dirname, join } from 'path';
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { loadPolicyFromTree } from './load-tree';
import { suggestKey } from './problems';
import type { Policy, PolicyProblem, Team } from './types';

export interface LocatedPolicy {
  policy: Policy;
  warnings: PolicyProblem[];
  /** Where it came from, for messages: "origin/main", "work tree", ... */
  source: string;
  /** The commit it was read from (absent for the work tree). */
  commit?: string;
}

/** Every `coord-hooks.*` git config value of this clone (keys lower-cased), read once per repository object. */
export function cloneConfig(repo: GitRepo): Promise<Map<string, string>> {
  return repo.memo('coord-hooks-config', async () => {
    const { stdout } = await repo.run(['config', '--get-regexp', '^coord-hooks\\.'], { okCodes: [1] });
    const values = new Map<string, string>();
    for (const line of stdout.toString('utf8').split('\n')) {
      const space = line.indexOf(' ');
      if (space > 0) values.set(line.slice(0, space).toLowerCase(), line.slice(space + 1));
    }
    return values;
  });
}

/** Branch the policy lives on: git config coord-hooks.branch, default main. */
export async function policyBranch(repo: GitRepo): Promise<string> {
  return (await cloneConfig(repo)).get('coord-hooks.branch') ?? 'main';
}

const fileSettings = new Map<string, Promise<import('./settings').ToolSettings>>();

/**
 * A clone setting: git config `coord-hooks.<key>` (what `install --team` writes) wins; else the
 * settings file found by cosmiconfig, loaded only when such a file can exist (it costs start-up time).
 */
export async function cloneSetting(repo: GitRepo, key: 'remote' | 'team'): Promise<string | undefined> {
  const fromGit = (await cloneConfig(repo)).get(`coord-hooks.${key}`);
  if (fromGit) return fromGit;
  if (!settingsFileMayExist(repo.cwd)) return undefined;
  if (!fileSettings.has(repo.cwd)) {
    fileSettings.set(repo.cwd, import('./settings').then(async ({ loadSettings }) => (await loadSettings(repo.cwd)).settings));
  }
  return (await fileSettings.get(repo.cwd)!)[key];
}

export async function remoteName(repo: GitRepo): Promise<string> {
  return (await cloneSetting(repo, 'remote')) ?? 'origin';
}

type Tip = { ref: string; oid: string };

function listTips(repo: GitRepo, wanted: string[]): Promise<Tip[]> {
  return repo.memo(`protected:${wanted.join(' ')}`, async () => {
    const { stdout } = await repo.run(['for-each-ref', '--format=%(objectname) %(objecttype) %(refname)', ...wanted]);
    const found = new Map<string, string>();
    for (const line of stdout.toString('utf8').split('\n')) {
      const [oid, type, ref] = line.split(' ');
      if (ref && type === 'commit') found.set(ref, oid);
    }
    return wanted.filter((ref) => found.has(ref)).map((ref) => ({ ref, oid: found.get(ref)! }));
  });
}

/**
 * The protected branch's refs in this clone that exist, remote-tracking copy first, with their commits.
 * The default refs (origin/main, main) are listed while the config is read; only a clone configured
 * otherwise pays a second git call.
 */
export async function protectedTips(repo: GitRepo, branch?: string): Promise<Tip[]> {
  const speculative = branch === undefined ? listTips(repo, ['refs/remotes/origin/main', 'refs/heads/main']) : null;
  speculative?.catch(() => undefined);
  const name = branch ?? (await policyBranch(repo));
  const remote = await remoteName(repo);
  return listTips(repo, [`refs/remotes/${remote}/${name}`, `refs/heads/${name}`]);
}

/** Refs that hold the protected branch in this clone, newest source first. */
export async function protectedRefs(repo: GitRepo, branch?: string): Promise<string[]> {
  return (await protectedTips(repo, branch)).map((tip) => tip.ref);
}

/** `from`: "worktree", a revision, or undefined for the protected branch (work tree when it does not exist yet). */
export async function locatePolicy(repo: GitRepo, from?: string): Promise<LocatedPolicy> {
  if (from === 'worktree') return fromWorktree(repo);
  if (from) {
    const commit = await repo.resolve(`${from}^{commit}`);
    if (!commit) throw new CoordError(`--policy-from ${from}: no such commit`, { hint: 'name a branch or commit, or "worktree"' });
    return { ...(await loadPolicyFromTree(repo, commit)), source: from };
  }
  const [[tip], cacheDir] = await Promise.all([protectedTips(repo), repo.commonDir()]);
  if (!tip) return fromWorktree(repo);
  return { ...(await loadPolicyFromTree(repo, tip.oid, cacheDir)), source: tip.ref.replace(/^refs\/(remotes|heads)\//, '') };
}

async function fromWorktree(repo: GitRepo): Promise<LocatedPolicy> {
  const { loadPolicyFromWorktree } = await import('./load-worktree');
  const { policy, warnings } = await loadPolicyFromWorktree(repo.cwd);
  return { policy, warnings, source: 'work tree' };
}

/** The team named `name`; a CoordError (exit 2) naming the closest team and every team otherwise. */
/**
 * Every warning about a located policy: the build's and those only its tree's paths can give
 * (policy/overlap.ts treeWarnings), over the files of the commit it was read from or of the work tree.
 * Lists the whole tree: for commands people run (explain), not for hooks on a hot path.
 */
export async function policyWarnings(repo: GitRepo, located: LocatedPolicy): Promise<PolicyProblem[]> {
  const [{ withTreeWarnings }, { splitZ }, { listWorktreePaths, repoTop }] = await Promise.all([
    import('./overlap'), import('../git/run'), import('./load-worktree')]);
  const paths = located.commit
    ? splitZ((await repo.run(['ls-tree', '-r', '-z', '--name-only', '--full-tree', located.commit])).stdout)
    : await listWorktreePaths(await repoTop(repo.cwd));
  return withTreeWarnings(located.policy, located.warnings, paths);
}

export function findTeam(policy: Policy, name: string, source?: string): Team {
  const team = policy.teams.find((candidate) => candidate.name === name);
  if (!team) {
    const guess = closestTeam(policy, name);
    const known = policy.teams.map((candidate) => candidate.name).join(', ') || '(none)';
    throw new CoordError(`no team "${name}" in the policy${source ? ` (from ${source})` : ''}${guess ? `; did you mean "${guess}"?` : ''}`,
      { hint: `teams are: ${known}` });
  }
  return team;
}

/** The team a mistyped name most likely meant (policy/problems.ts suggestKey), if any is close. */
export function closestTeam(policy: Policy, name: string): string | undefined {
  return suggestKey(name, policy.teams.map((candidate) => candidate.name));
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

/**
 * Could cosmiconfig find a `coord-hooks` settings file between `cwd` and the repository top? A few
 * directory reads answer it, so the common case (no such file) never loads cosmiconfig.
 */
export function settingsFileMayExist(cwd: string): boolean {
  for (let dir = cwd; ; dir = dirname(dir)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      names = [];
    }
    for (const name of names) {
      if (name.startsWith('.coord-hooksrc') || name.startsWith('coord-hooks.config.')) return true;
      if (name === '.config' && existsSync(join(dir, '.config')) && safeList(join(dir, '.config')).some((entry) => entry.startsWith('coord-hooksrc'))) return true;
      if (name === 'package.json' && hasSettingsKey(join(dir, name))) return true;
    }
    if (names.includes('.git') || dirname(dir) === dir) return false;
  }
}

function safeList(dir: string): string[] {
  try { return readdirSync(dir); } catch { return []; }
}

/** A package.json carries settings only under its top-level "coord-hooks" key (not as a dependency). */
function hasSettingsKey(file: string): boolean {
  try {
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    return manifest !== null && typeof manifest === 'object' && 'coord-hooks' in manifest;
  } catch {
    return false;
  }
}
