/**
 * Runs programs other than git (ssh-keygen, gpg, user commands). git itself is spawned only by git/.
 * Callers pass the environment explicitly: inside a hook, strip GIT_* (git/run.ts foreignEnv).
 */
import { spawn } from 'child_process';

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
