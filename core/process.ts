/**
 * Runs programs other than git (ssh-keygen, gpg, user commands). git itself is spawned only by git/.
 * Callers pass the environment explicitly: inside a hook, strip GIT_* (git/run.ts foreignEnv).
 */
import { spawn } from 'child_process';
import { closeSync, openSync } from 'fs';
import { constants as osConstants } from 'os';

export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runProcess(
  command: string,
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd?: string; input?: string | Buffer; timeoutMs?: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : null;
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString('utf8'); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString('utf8'); });
    child.stdin.on('error', () => undefined);
    child.on('error', (error) => { if (timer) clearTimeout(timer); reject(error); });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** Starts a shell command detached from this process (its output goes to `logFile`); never waits. */
export function spawnDetached(command: string, options: { env: NodeJS.ProcessEnv; cwd: string; logFd: number }): void {
  const child = spawn('/bin/sh', ['-c', command], { env: options.env, cwd: options.cwd, detached: true, stdio: ['ignore', options.logFd, options.logFd] });
  child.unref();
}

export interface StartedProcess {
  pid: number;
  /** Resolves when the program has exited: its exit code, or the signal that ended it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the process group, SIGKILL after `graceMs` (default 5 s); resolves once it has exited. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts a long-running program (a test server) in its own process group, its stdout and stderr
 * appended to `logFile`. The caller must `stop()` it: that ends the program and anything it started.
 */
export function startProcess(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string; logFile: string }): StartedProcess {
  let outcome: { code: number | null; signal: NodeJS.Signals | null } = { code: null, signal: null };
  const log = openSync(options.logFile, 'a');
  let child;
  try {
    child = spawn(command, args, { env: options.env, cwd: options.cwd, detached: true, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => { exited = true; outcome = { code, signal }; resolve(); });
    child.once('error', () => { exited = true; outcome = { code: 127, signal: null }; resolve(); });
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`cannot start ${command} (not found or not executable)`);
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      // The group is gone already.
    }
  };
  return {
    pid,
    exited: exit.then(() => outcome),
    async stop(graceMs = 5000) {
      if (exited) return;
      signal('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), graceMs); });
      const outcome = await Promise.race([exit.then(() => 'exited' as const), late]);
      clearTimeout(timer);
      if (outcome === 'late') {
        signal('SIGKILL');
        await exit;
      }
    },
  };
}

/**
 * Runs a program with this process's stdin, stdout and stderr (an agent in a terminal), and resolves
 * with its exit code: 128 + the signal number when a signal ended it. Rejects when it cannot start.
 */
export function runInherited(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve(code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : 1));
    });
  });
}
