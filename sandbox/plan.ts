/**
 * What a team may write, as file system paths: the policy's write scope turned into the directories
 * and files an OS sandbox (bubblewrap, Claude Code's sandbox) makes writable, the paths that must stay
 * read-only inside them, what git needs, and the patterns no path can express. Why each part is the
 * way it is: docs/sandbox.md.
 */
import { readdirSync } from 'fs';
import { join } from 'path';
import { CompiledPathspec, parsePathspec } from '../policy/pathspec';
import type { Pattern, Policy, Team } from '../policy/types';

export interface GitDirs {
  /** The work tree's git directory (`git rev-parse --absolute-git-dir`). */
  gitDir: string;
  /** The common git directory (the same as gitDir except in linked worktrees). */
  commonDir: string;
  /** The hooks directory git uses (`git rev-parse --git-path hooks`; core.hooksPath), when known. */
  hooksDir?: string;
}

export interface Inexpressible {
  /** The pattern as written in the policy. */
  pattern: string;
  why: string;
}

export interface SandboxPlan {
  /** The repository top (absolute, symbolic links resolved, as git prints it). */
  top: string;
  team: string;
  /** Absolute directories and files the team may write: the plain paths of its scope.write. */
  writable: string[];
  /** The writable entries written as directories (`fw/`): created, empty, when they do not exist yet. */
  createDirs: string[];
  /** Absolute paths that stay read-only even inside writable ones: policy files, .claude/, .coord/, git's hooks and config, excluded paths. */
  readOnly: string[];
  /** Git directories that must stay writable for commit, fetch and push (their dangerous entries are in readOnly). */
  gitWritable: string[];
  /** Patterns that cannot become a path: the Claude Code guard and the git hooks remain the layer for them. */
  inexpressible: Inexpressible[];
  /**
   * Existing entries of the work tree that hold nothing writable, largest first: what a sandbox that
   * makes the whole working directory writable (Claude Code's) must deny. The git directory is not listed.
   */
  outsideScope: string[];
}

/** Entries of a git directory a sandboxed program must not change: they make git run programs, or point git elsewhere. */
export const GIT_READ_ONLY = ['hooks', 'config', 'config.worktree', 'info', 'modules'];
/** Extra entries of a linked worktree's own git directory. */
export const LINKED_WORKTREE_READ_ONLY = ['commondir', 'gitdir'];

type PathOf = { path: string; dir: boolean } | { why: string };

const utf8 = (bytes: string): string => Buffer.from(bytes, 'latin1').toString('utf8');

/**
 * The repository-relative path a pathspec selects as a whole ('' for everything), or why it has none.
 * Plain patterns select a path and everything below it; `P/*` (plain) and `:(glob)P/**` select
 * everything below P/, the same set as `P/`. Anything else with a wildcard selects by name.
 */
export function pathOfPattern(text: string): PathOf {
  let spec: CompiledPathspec;
  try {
    spec = parsePathspec(text);
  } catch (error) {
    return { why: `not a pathspec this tool can read (${error instanceof Error ? error.message : String(error)})` };
  }
  const match = utf8(spec.match);
  if (spec.magic.icase && /[A-Za-z]/.test(match)) {
    return { why: 'case-insensitive (:(icase)): a sandbox binds names exactly as they are spelled on disk' };
  }
  const literal = utf8(spec.match.slice(0, spec.literalLength));
  if (literal === match) return { path: match.replace(/\/+$/, ''), dir: match === '' || match.endsWith('/') };
  const tail = match.slice(literal.length);
  const below = literal === '' || literal.endsWith('/');
  const everything = spec.magic.glob ? tail === '**' : /^\*+$/.test(tail);
  if (below && everything) return { path: literal.replace(/\/+$/, ''), dir: true };
  return { why: `selects files by wildcard (${spec.magic.glob ? ':(glob) ' : ''}"${match}"): a sandbox binds existing paths, not name patterns` };
}

const inside = (path: string, dir: string): boolean => path === dir || dir === '/' || path.startsWith(`${dir}/`);
const absolute = (top: string, rel: string): string => (rel === '' ? top : join(top, rel));
const unique = (paths: string[]): string[] => [...new Set(paths)];

export interface PlanOptions {
  /** Lists a directory (for outsideScope); default: the file system. */
  listDir?: (dir: string) => string[];
}

function defaultList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export function writePlan(policy: Policy, team: Team, top: string, gitDirs: GitDirs, options: PlanOptions = {}): SandboxPlan {
  const inexpressible: Inexpressible[] = [];
  const positive: { pattern: Pattern; path: string; dir: boolean }[] = [];
  const excluded: string[] = [];
  for (const pattern of team.write) {
    const found = pathOfPattern(pattern.text);
    const exclude = pattern.spec.exclude;
    if ('why' in found) {
      inexpressible.push({
        pattern: pattern.text,
        why: exclude
          ? `${found.why}; programs in the sandbox may still write what it excludes, which the guard and the git hooks reject`
          : `${found.why}; programs in the sandbox cannot write what it selects (stricter than the policy), the guard judges the Write and Edit tools, the git hooks every commit`,
      });
    } else if (exclude) {
      excluded.push(absolute(top, found.path));
    } else {
      positive.push({ pattern, path: absolute(top, found.path), dir: found.dir });
    }
  }
  // A list of only excludes selects everything but them (git's rule).
  const onlyExcludes = team.write.every((pattern) => pattern.spec.exclude);
  if (onlyExcludes) positive.push({ pattern: team.write[0], path: top, dir: true });

  const gitDirList = unique([gitDirs.gitDir, gitDirs.commonDir]);
  const gitReadOnly = [
    ...gitDirList.flatMap((dir) => GIT_READ_ONLY.map((name) => join(dir, name))),
    ...(gitDirs.gitDir !== gitDirs.commonDir ? LINKED_WORKTREE_READ_ONLY.map((name) => join(gitDirs.gitDir, name)) : []),
    ...(gitDirs.hooksDir ? [gitDirs.hooksDir] : []),
  ];
  const policyReadOnly = [
    ...policy.policyFiles, policy.coord.signers, '.coord', '.claude',
  ].map((rel) => absolute(top, rel));

  // Excluded paths and policy files win over any writable path at or below them (git's rule for
  // excludes; the architect-only rule for policy files). A writable path inside a git directory is
  // git's business (gitWritable), not the team's.
  const denied = [...excluded, ...policyReadOnly];
  let writable = positive
    .filter((entry) => !denied.some((path) => inside(entry.path, path)))
    .filter((entry) => !gitDirList.some((dir) => inside(entry.path, dir)));
  writable = writable.filter((entry) => !writable.some((other) => other.path !== entry.path && inside(entry.path, other.path)));
  const writablePaths = unique(writable.map((entry) => entry.path));
  const createDirs = unique(writable.filter((entry) => entry.dir && entry.path !== top).map((entry) => entry.path));
  const readOnly = unique([
    ...policyReadOnly,
    ...excluded.filter((path) => writablePaths.some((dir) => inside(path, dir))),
    ...gitReadOnly,
  ]);
  return {
    top,
    team: team.name,
    writable: writablePaths,
    createDirs,
    readOnly,
    gitWritable: gitDirList,
    inexpressible,
    outsideScope: outsideScope(top, writablePaths, gitDirList, options.listDir ?? defaultList),
  };
}

/** The largest existing entries under top that hold no writable path (directories holding one are entered). */
function outsideScope(top: string, writable: string[], gitDirs: string[], list: (dir: string) => string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of list(dir).sort()) {
      const path = join(dir, name);
      if (name === '.git' && dir === top) continue;
      if (gitDirs.some((gitDir) => inside(path, gitDir))) continue;
      if (writable.includes(path)) continue;
      if (writable.some((entry) => inside(entry, path))) walk(path);
      else out.push(path);
    }
  };
  if (!writable.includes(top)) walk(top);
  return out;
}
