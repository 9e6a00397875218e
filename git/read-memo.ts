/**
 * Answers of a few read-only git calls kept across the requests of the warm process (docs/warm.md):
 * the config reads every hook starts with (`git config --get…`) and the rev-parse that says where the
 * repository is and which branch is checked out. Each answer is kept with the identity of every file it
 * was read from (device, inode, size, mtime and ctime in nanoseconds) and used again only while all of
 * them are unchanged, so a hook answered from here sees what git would print now. Off unless the warm
 * process turns it on: a cold hook asks git every time.
 *
 * What makes an answer not kept at all (asked of git every time instead):
 * - a config file it depends on was written in the last two seconds (a later write in the same clock
 *   tick could leave every identity as it was: git's own "racy" rule for the index);
 * - any `include.*` or `includeIf.*` setting (an included file, or a condition on the branch or the
 *   directory, is more than this memo follows);
 * - a non-zero exit other than config's "no such key" (1), or a call not in the short list below.
 */
import { statSync } from 'fs';
import { isAbsolute, join } from 'path';
import { git, type GitCallOptions, type GitResult } from './run';

/** Writes younger than this (ms) are not trusted to show in a file's identity. */
const RACY_MS = 2000;
/** Kept answers at most (one per call, cwd and environment seen; a few dozen in practice). */
const MAX_ENTRIES = 512;

interface Entry {
  /** The answer; null while its files are too young to be trusted (then git is asked, until retryAfter). */
  result: GitResult | null;
  /** path → identity when the answer was read. */
  files: Map<string, string>;
  /** With no result: when the files will be old enough (ms since the epoch). */
  retryAfter: number;
}

let enabled = false;
const entries = new Map<string, Entry>();

/** Turns the memo on for the rest of this process (the warm server does, at start). */
export function keepReadsAcrossRuns(): void {
  enabled = true;
}

export function readMemoEnabled(): boolean {
  return enabled;
}

/** Forgets every kept answer (tests). */
export function forgetReads(): void {
  entries.clear();
}

const CONFIG_READ_FLAGS = new Set(['--get', '--get-regexp', '--get-all', '--type=bool', '--show-scope', '-z', '--null', '--local']);
const WHERE_ARGS = ['rev-parse', '--path-format=absolute', '--absolute-git-dir', '--git-common-dir'];

/** Which kind of kept answer a call can have, or null (asked of git every time). */
export function readKind(args: string[]): 'config' | 'where' | null {
  if (args[0] === 'config') {
    let read = false;
    for (let index = 1; index < args.length; index++) {
      const arg = args[index];
      if (arg === '--get' || arg === '--get-regexp' || arg === '--get-all') { read = true; index++; continue; }
      if (arg === '--file') { index++; continue; }
      if (!CONFIG_READ_FLAGS.has(arg)) return null;
    }
    return read ? 'config' : null;
  }
  const where = args.length >= WHERE_ARGS.length && WHERE_ARGS.every((arg, index) => args[index] === arg);
  if (where && (args.length === WHERE_ARGS.length || (args.length === WHERE_ARGS.length + 2 && args[4] === '--symbolic-full-name' && args[5] === 'HEAD'))) return 'where';
  if (args.length === 3 && args[0] === 'rev-parse' && args[1] === '--path-format=absolute' && args[2] === '--git-common-dir') return 'where';
  return null;
}

/** The variables a config read or repository discovery depends on (the rest, quarantine included, does not change them). */
function envKey(env: NodeJS.ProcessEnv): string {
  return Object.keys(env)
    .filter((name) => name.startsWith('GIT_CONFIG') || ['GIT_DIR', 'GIT_COMMON_DIR', 'GIT_WORK_TREE', 'GIT_CEILING_DIRECTORIES',
      'GIT_DISCOVERY_ACROSS_FILESYSTEM', 'GIT_EXEC_PATH', 'HOME', 'XDG_CONFIG_HOME', 'PATH'].includes(name))
    .sort().map((name) => `${name}=${env[name]}`).join('\0');
}

/**
 * A file's identity; a directory's is its device and inode only (a work tree's `.git` directory changes
 * its times on every commit, and what git reads is the files inside, which are stamped themselves).
 */
function identity(path: string): string {
  try {
    const stat = statSync(path, { bigint: true });
    if (stat.isDirectory()) return `dir:${stat.dev}:${stat.ino}`;
    return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeNs}:${stat.ctimeNs}:${stat.mode}`;
  } catch {
    return 'none';
  }
}

/** When a file last changed (ms since the epoch); 0 for a directory (its inode is its identity) or no file. */
function changedAt(path: string): number {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 0 : Math.max(stat.mtimeMs, stat.ctimeMs);
  } catch {
    return 0;
  }
}

/** Every file git reads config from for a repository whose git dirs are given, by git's rules (config.c, git 2.39). */
function configFiles(env: NodeJS.ProcessEnv, gitDir: string, commonDir: string, extra: string[]): string[] {
  const home = env.HOME;
  const xdg = env.XDG_CONFIG_HOME || (home ? join(home, '.config') : undefined);
  const files = [
    env.GIT_CONFIG_SYSTEM || '/etc/gitconfig',
    env.GIT_CONFIG_GLOBAL || '',
    xdg ? join(xdg, 'git', 'config') : '', home ? join(home, '.gitconfig') : '',
    join(commonDir, 'config'), join(gitDir, 'config.worktree'), ...extra,
  ];
  return [...new Set(files.filter(Boolean))];
}

/** What the discovery of the repository from `cwd` reads: the `.git` entry (or the bare repository's own files). */
function whereFiles(cwd: string, gitDir: string, commonDir: string): string[] {
  return [join(cwd, '.git'), join(gitDir, 'HEAD'), join(gitDir, 'commondir'), join(gitDir, 'gitdir'), join(commonDir, 'config')];
}

function firstLines(result: GitResult): string[] {
  return result.stdout.toString('utf8').split('\n').filter(Boolean);
}

/**
 * The answer of `git ARGS` in `options.cwd`: the kept one while every file it depends on is unchanged,
 * else git's (kept for next time when it can be). `args` must be a call readKind() accepts.
 */
export async function memoizedRead(args: string[], options: GitCallOptions): Promise<GitResult> {
  const kind = readKind(args);
  const env = options.env ?? process.env;
  if (!enabled || !kind || options.input !== undefined) return git(args, options);
  const key = `${kind}\0${options.cwd}\0${args.join('\0')}\0${envKey(env)}\0${(options.okCodes ?? []).join(',')}`;
  const kept = entries.get(key);
  if (kept && [...kept.files].every(([path, seen]) => identity(path) === seen)) {
    if (kept.result) return kept.result;
    // Files too young a moment ago and unchanged since: git alone, without the checks a fill costs.
    if (Date.now() < kept.retryAfter) return git(args, options);
  }
  entries.delete(key);

  const started = Date.now();
  const result = await git(args, options);
  const files = await dependencies(kind, args, options, env, kind === 'where' && result.code === 0 ? firstLines(result).slice(0, 2) : null);
  if (!files || !(result.code === 0 || (kind === 'config' && result.code === 1))) return result;
  const identities = new Map(files.map((path) => [path, identity(path)]));
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const youngest = Math.max(0, ...files.map(changedAt));
  if (youngest >= started - RACY_MS) entries.set(key, { result: null, files: identities, retryAfter: youngest + RACY_MS + 1 });
  else entries.set(key, { result, files: identities, retryAfter: 0 });
  return result;
}

/** The files an answer depends on, or null when it cannot be kept (includes, an unexpected layout, a failure). */
async function dependencies(kind: 'config' | 'where', args: string[], options: GitCallOptions, env: NodeJS.ProcessEnv, dirs: string[] | null): Promise<string[] | null> {
  try {
    // A where-am-I answer names the git dirs itself (its first two lines); a config read asks for them.
    const where = dirs ?? firstLines(await git(WHERE_ARGS, { cwd: options.cwd, env: options.env }));
    if (where.length !== 2 || !where.every((path) => isAbsolute(path))) return null;
    const [gitDir, commonDir] = where;
    // A bare repository (the server) is found as the directory itself; a work tree through its `.git`.
    const discovered = identity(join(options.cwd, '.git')) !== 'none' || options.cwd === gitDir || env.GIT_DIR !== undefined;
    if (!discovered) return null;
    if (kind === 'where') return whereFiles(options.cwd, gitDir, commonDir);
    const fileArg = args.indexOf('--file');
    const extra = fileArg > 0 ? [isAbsolute(args[fileArg + 1]) ? args[fileArg + 1] : join(options.cwd, args[fileArg + 1])] : [];
    if (env.GIT_CONFIG) extra.push(env.GIT_CONFIG);
    const files = configFiles(env, gitDir, commonDir, extra);
    // Includes (plain or conditional) are followed by git and not by this memo: such a setup is asked every time.
    const listed = await git(['config', '--list', '--name-only', '-z'], { cwd: options.cwd, env: options.env, okCodes: [1] });
    if (/(^|\0)include(if\..*)?\.path(\0|$)/i.test(listed.stdout.toString('utf8'))) return null;
    if (fileArg > 0) {
      const own = await git(['config', '--file', extra[0], '--list', '--name-only', '-z'], { cwd: options.cwd, env: options.env, okCodes: [1] });
      if (/(^|\0)include(if\..*)?\.path(\0|$)/i.test(own.stdout.toString('utf8'))) return null;
    }
    return files;
  } catch {
    return null;
  }
}
