/**
 * Where git runs a repository's hooks, asked of git itself: `rev-parse --git-path hooks` honours
 * core.hooksPath (relative, absolute or ~), linked worktrees (hooks live in the common dir) and
 * submodules (.git/modules/<name>/hooks).
 */
import { existsSync, realpathSync, statSync } from 'fs';
import { relative, resolve, isAbsolute } from 'path';
import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { firstLine, GitError } from '../git/run';

export interface HooksLocation {
  /** The directory git runs this repository's hooks from (absolute). */
  hooksDir: string;
  /** The repository's git directory (for a clone: this worktree's). */
  gitDir: string;
  /** core.hooksPath as configured, when it is set. */
  hooksPath?: string;
  /** Things the person installing should know (printed with the summary). */
  notes: string[];
}

/** Variables that would point git at another repository than the one named. */
const LOCATING_ENV = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_NAMESPACE'];

function withoutLocatingEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of LOCATING_ENV) delete out[name];
  return out;
}

async function revParse(repo: GitRepo, args: string[]): Promise<string> {
  return firstLine((await repo.run(['rev-parse', ...args])).stdout);
}

async function hooksDirOf(repo: GitRepo): Promise<{ hooksDir: string; hooksPath?: string }> {
  const hooksDir = await revParse(repo, ['--path-format=absolute', '--git-path', 'hooks']);
  const hooksPath = (await repo.configGet('core.hooksPath')) ?? undefined;
  return { hooksDir, hooksPath };
}

/** A bare repository, named by its own directory (what `--repo` names). */
export async function locateServerHooks(repoPath: string, env: NodeJS.ProcessEnv): Promise<HooksLocation & { repo: GitRepo }> {
  const path = resolve(repoPath);
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new CoordError(`${path}: no such directory`, { hint: 'pass --repo with the path of the bare repository that people push to (e.g. /srv/git/project.git)' });
  }
  const repo = new GitRepo(path, withoutLocatingEnv(env));
  let gitDir: string;
  try {
    gitDir = await revParse(repo, ['--absolute-git-dir']);
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new CoordError(`${path} is not a git repository`, { hint: `pass --repo with the bare repository's path, or create one with \`git init --bare ${path}\`` });
  }
  if (!(await repo.isBare())) {
    throw new CoordError(`${path} is not a bare repository: server hooks belong in the repository people push to`, {
      hint: 'pass --repo with the bare repository (e.g. /srv/git/project.git); in a clone, run `coord-hooks install` without --server for early-feedback hooks',
    });
  }
  if (realpathSync(gitDir) !== realpathSync(path)) {
    throw new CoordError(`${path} is inside the bare repository ${gitDir}, not the repository itself`, { hint: `pass --repo ${gitDir}` });
  }
  const { hooksDir, hooksPath } = await hooksDirOf(repo);
  const notes = hooksPath === undefined ? [] : [
    `core.hooksPath is set (${hooksPath}): the hooks went to ${hooksDir}, where git runs them; if other repositories share that directory (a global or system core.hooksPath), their pushes now run the gate too`,
  ];
  return { repo, gitDir, hooksDir, hooksPath, notes };
}

/** The clone (or linked worktree, or submodule) containing `cwd`, from any subdirectory. */
export async function locateCloneHooks(cwd: string, env: NodeJS.ProcessEnv): Promise<HooksLocation & { repo: GitRepo; workTree?: string }> {
  const repo = new GitRepo(cwd, env);
  let gitDir: string;
  try {
    gitDir = await revParse(repo, ['--absolute-git-dir']);
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new CoordError(`${cwd} is not inside a git repository`, {
      hint: 'run `coord-hooks install` inside a clone, or `coord-hooks install --server --repo PATH` for a bare repository',
    });
  }
  if (await repo.isBare()) {
    throw new CoordError(`${gitDir} is a bare repository: client hooks belong in clones`, { hint: `run \`coord-hooks install --server --repo ${gitDir}\` for the server gate` });
  }
  const workTree = await repo.topLevel().catch(() => undefined);
  const { hooksDir, hooksPath } = await hooksDirOf(repo);
  const notes: string[] = [];
  if (hooksPath !== undefined) {
    notes.push(`core.hooksPath is set (${hooksPath}): installed in ${hooksDir}, where git runs hooks; the hooks already there are chained and keep running`);
    if (!isAbsolute(hooksPath) && !hooksPath.startsWith('~')) {
      notes.push('core.hooksPath is relative: each linked worktree resolves it inside its own work tree, so run `coord-hooks install` in each worktree');
    }
    if (workTree && isInside(workTree, hooksDir)) {
      notes.push(`${hooksDir} is inside the work tree: if hook files there are tracked, \`git status\` shows the change; do not commit it`);
    }
  }
  return { repo, gitDir, hooksDir, hooksPath, workTree, notes };
}

function isInside(parent: string, child: string): boolean {
  const rel = relative(realpathOr(parent), realpathOr(child));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
