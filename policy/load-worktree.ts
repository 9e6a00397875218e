/**
 * Loads the policy from a work tree (a clone, before anything is committed): the CLAUDE.md files
 * git knows about or would add (tracked plus untracked-but-not-ignored), read from disk.
 * The gate never uses this: it reads the policy from the protected branch (policy/load-tree.ts).
 */
import { lstat, readFile, realpath } from 'fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'path';
import { cosmiconfig } from 'cosmiconfig';
import { CoordError } from '../core/errors';
import { firstLine, git, GitError, splitZ } from '../git/run';
import { buildPolicy } from './build';
import { parseFrontMatter } from './frontmatter';
import { PolicyError } from './problems';
import { readPolicyFile } from './rules';
import type { Policy, PolicyFile, PolicyProblem } from './types';

/** Every CLAUDE.md at any depth, the root one included (`**\/` also matches no directory). */
export const POLICY_FILES_PATHSPEC = ':(glob)**/CLAUDE.md';

export interface WorktreePolicy {
  policy: Policy;
  /** Absolute path of the work tree's top level. */
  root: string;
  warnings: PolicyProblem[];
}

/** The top level of the work tree holding `cwd`; a CoordError (exit 2) outside one. */
export async function repoTop(cwd: string): Promise<string> {
  try {
    return firstLine((await git(['rev-parse', '--show-toplevel'], { cwd })).stdout);
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    throw new CoordError(`${cwd} is not inside a git work tree`, {
      hint: 'run this inside a clone of the repository (git clone URL), not in a bare repository.', cause: error });
  }
}

/** Repository-relative paths of the CLAUDE.md files in the work tree: ONE git call. */
export async function listPolicyCandidates(root: string): Promise<string[]> {
  const args = ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', POLICY_FILES_PATHSPEC];
  const paths = splitZ((await git(args, { cwd: root })).stdout);
  return [...new Set(paths)].sort();
}

/** Every file path of the work tree git tracks or would add (the tree a commit of everything would have): ONE git call. */
export async function listWorktreePaths(root: string): Promise<string[]> {
  const paths = splitZ((await git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root })).stdout);
  return [...new Set(paths)];
}

/**
 * Every warning about the work tree's policy: the build's (policy/build.ts) and those only the tree's
 * paths can give (policy/overlap.ts treeWarnings: overlaps present in the tree, patterns selecting
 * nothing). Throws PolicyError when the policy has problems. For the architect's pre-commit, which
 * shows them when a policy file is staged, and `explain --policy-from worktree`.
 */
export async function worktreePolicyWarnings(cwd: string): Promise<PolicyProblem[]> {
  const { policy, root, warnings } = await loadPolicyFromWorktree(cwd);
  const { withTreeWarnings } = await import('./overlap');
  return withTreeWarnings(policy, warnings, await listWorktreePaths(root));
}

/** Reads the candidates that are regular files (deleted files, symlinks and submodules are skipped, as in a git tree). */
export async function readWorktreePolicyFiles(root: string): Promise<PolicyFile[]> {
  const paths = await listPolicyCandidates(root);
  const files = await Promise.all(paths.map(async (path): Promise<PolicyFile | null> => {
    const absolute = join(root, path);
    const stat = await lstat(absolute).catch(() => null);
    if (!stat?.isFile()) return null;
    return { path, text: await readFile(absolute, 'utf8') };
  }));
  return files.filter((file): file is PolicyFile => file !== null);
}

/** The policy of the work tree holding `cwd`; throws PolicyError (exit 2) listing every problem. */
export async function loadPolicyFromWorktree(cwd: string): Promise<WorktreePolicy> {
  const root = await repoTop(cwd);
  const { policy, problems, warnings } = buildPolicy(await readWorktreePolicyFiles(root));
  if (!policy) throw new PolicyError(problems, `the work tree at ${root}`);
  return { policy, root, warnings };
}

export interface TeamFile {
  /** Absolute path of the CLAUDE.md. */
  path: string;
  /** Repository-relative path. */
  file: string;
  /** The team it declares, or null (e.g. a root CLAUDE.md with only `coord:`). */
  team: string | null;
}

/**
 * The nearest CLAUDE.md with front-matter at or above `startDir`, not looking above the top of
 * the work tree: "which team's directory am I in". Throws PolicyError when that file is invalid.
 * cosmiconfig does the per-directory look-up and caching, with a loader for CLAUDE.md front-matter.
 */
export async function findTeamFile(startDir: string, root?: string): Promise<TeamFile | null> {
  const top = await realpath(root ?? (await repoTop(startDir)));
  const loader = (filepath: string, text: string): TeamFile | null => {
    const file = relative(top, filepath).split(sep).join('/');
    const fm = parseFrontMatter({ path: file, text });
    if (!fm) return null;
    const decl = fm.problems.length === 0 ? readPolicyFile(fm, file === 'CLAUDE.md') : {};
    if (fm.problems.length > 0) throw new PolicyError(fm.problems, file);
    return { path: filepath, file, team: decl.team?.team.name ?? null };
  };
  const explorer = cosmiconfig('coord-hooks', { searchPlaces: ['CLAUDE.md'], loaders: { '.md': loader }, searchStrategy: 'none' });
  const start = await realpath(startDir);
  if (!isInside(top, start)) return null;
  for (let dir = start; ; dir = dirname(dir)) {
    const found = await explorer.search(dir);
    if (found && basename(found.filepath) === 'CLAUDE.md') return found.config as TeamFile;
    if (dir === top) return null;
  }
}

export function isInside(top: string, dir: string): boolean {
  const path = relative(top, dir);
  return path === '' || (path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path));
}
