/**
 * The only place that spawns git. Every call names its arguments and its cwd; every failure is a
 * GitError carrying the exit code and git's stderr.
 */
import { spawn, spawnSync } from 'child_process';
import { appendFileSync } from 'fs';

export interface GitCallOptions {
  cwd: string;
  /** Environment for git; defaults to process.env (inside hooks that keeps GIT_DIR and quarantine variables). */
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Exit codes that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`). */
  okCodes?: number[];
}

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export class GitError extends Error {
  readonly args: string[];
  readonly code: number | null;
  readonly stderr: string;
  constructor(args: string[], code: number | null, stderr: string, cause?: unknown) {
    const detail = stderr.trim().split('\n').slice(0, 5).join('\n');
    super(`git ${args.slice(0, 3).join(' ')}${args.length > 3 ? ' …' : ''} failed (exit ${code ?? 'signal'})${detail ? `: ${detail}` : ''}`,
      cause === undefined ? undefined : { cause });
    this.name = 'GitError';
    this.args = args;
    this.code = code;
    this.stderr = stderr;
  }
}

/** Pathspec behaviour must not change under the caller's feet: these variables alter it. */
const PATHSPEC_ENV = ['GIT_GLOB_PATHSPECS', 'GIT_NOGLOB_PATHSPECS', 'GIT_ICASE_PATHSPECS', 'GIT_LITERAL_PATHSPECS'];

export function gitEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  for (const name of PATHSPEC_ENV) delete out[name];
  out.GIT_TERMINAL_PROMPT = '0';
  out.LC_ALL = 'C';
  // coord-hooks judges the objects as they are: replace refs and grafts would let a repository (or a
  // ref someone pushed) show one commit or blob in place of another to every later call.
  out.GIT_NO_REPLACE_OBJECTS = '1';
  out.GIT_GRAFT_FILE = '/dev/null/no-grafts'; // a path that can never exist: no grafts, and no deprecation hint
  return out;
}

/** Environment for processes that work elsewhere than this repository: no GIT_* at all. */
export function foreignEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) if (!name.startsWith('GIT_')) out[name] = value;
  return out;
}

/**
 * With COORD_HOOKS_TRACE=FILE, every git process coord-hooks starts is appended to FILE (one line of
 * arguments): how tests and people check that a push costs a bounded number of processes.
 */
export function traceSpawn(args: string[], env: NodeJS.ProcessEnv = process.env): void {
  const file = env.COORD_HOOKS_TRACE;
  if (!file) return;
  try {
    appendFileSync(file, `${process.pid} git ${args.join(' ')}\n`);
  } catch {
    // Tracing is a debugging aid; it never breaks the work.
  }
}

export function git(args: string[], options: GitCallOptions): Promise<GitResult> {
  traceSpawn(args, options.env);
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, { cwd: options.cwd, env: gitEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error) => reject(new GitError(args, null, String(error), error)));
    child.stdin.on('error', () => { /* git may exit before reading all input; its exit code tells */ });
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? -1 };
      if (code === 0 || (code !== null && options.okCodes?.includes(code))) resolve(result);
      else reject(new GitError(args, code, result.stderr));
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Synchronous variant for the few start-up paths where an await chain costs more than it saves. */
export function gitSync(args: string[], options: GitCallOptions): GitResult {
  traceSpawn(args, options.env);
  const result = spawnSync('git', args, { cwd: options.cwd, env: gitEnv(options.env), input: options.input ?? '', maxBuffer: 1 << 30 });
  if (result.error) throw new GitError(args, null, String(result.error), result.error);
  const code = result.status ?? -1;
  const stderr = result.stderr.toString('utf8');
  if (code !== 0 && !options.okCodes?.includes(code)) throw new GitError(args, code, stderr);
  return { stdout: result.stdout, stderr, code };
}

/** Splits NUL-terminated output into strings, dropping the empty tail. */
export function splitZ(buffer: Buffer): string[] {
  const parts = buffer.toString('utf8').split('\0');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export function firstLine(buffer: Buffer): string {
  return buffer.toString('utf8').split('\n')[0].trim();
}
