/**
 * Runs a program under bubblewrap with a layout's mounts: the whole file system read-only, a fresh
 * /dev and /proc, a private writable /tmp, the layout's binds on top, no capabilities (a root
 * program could otherwise remount read-write), its own PID namespace (it cannot reach the memory of
 * processes outside), its own terminal session (no keystrokes pushed into the caller's), the
 * network kept (a push must reach the remote). Not confined: what a program reaches over sockets it
 * may connect to (an ssh-agent, a container daemon), which docs/sandbox.md says.
 */
import { CoordError, EXIT_USAGE } from '../core/errors';
import { runInherited, runProcess } from '../core/process';
import type { Layout } from './layout';

export const BWRAP = 'bwrap';

export const NO_BWRAP_HINT = 'install bubblewrap (apt-get install bubblewrap) or run the agent without the sandbox, knowing that programs then write anywhere';

export interface BwrapRun {
  layout: Layout;
  /** Working directory of the program (inside the sandbox it is the same path). */
  cwd: string;
  command: string[];
  /** Variables set inside the sandbox on top of the inherited environment. */
  setEnv?: Record<string, string>;
}

export function bwrapArgs(run: BwrapRun): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp'];
  for (const mount of run.layout.mounts) args.push(mount.mode === 'rw' ? '--bind' : '--ro-bind', mount.path, mount.path);
  // --new-session: a program that shares the caller's terminal session could push keystrokes into it
  // (TIOCSTI) and have them run outside the sandbox.
  args.push('--unshare-pid', '--die-with-parent', '--new-session', '--cap-drop', 'ALL');
  for (const [name, value] of Object.entries(run.setEnv ?? {})) args.push('--setenv', name, value);
  args.push('--chdir', run.cwd, '--', ...run.command);
  return args;
}

export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Fails (exit 2) unless bubblewrap is installed and can make a sandbox here (user namespaces may be
 * disabled, or a container may forbid mounts): a program is never run unsandboxed instead.
 */
export async function checkBwrap(env: NodeJS.ProcessEnv): Promise<void> {
  if (process.platform !== 'linux') {
    throw new CoordError(`the sandbox uses bubblewrap, which exists on Linux only (this is ${process.platform})`, { exitCode: EXIT_USAGE, hint: 'run the agent without the sandbox, knowing that programs then write anywhere; the guard and the git hooks still judge every write and commit' });
  }
  let result;
  try {
    result = await runProcess(BWRAP, ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--unshare-pid', '--cap-drop', 'ALL', '--', 'true'], { env, timeoutMs: 10_000 });
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CoordError(missing ? 'bubblewrap (bwrap) is not installed' : `bubblewrap cannot start: ${String(error)}`, { exitCode: EXIT_USAGE, hint: NO_BWRAP_HINT });
  }
  if (result.code !== 0) {
    throw new CoordError(`bubblewrap cannot make a sandbox here: ${result.stderr.trim() || `exit ${result.code}`}`, { exitCode: EXIT_USAGE, hint: `allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or ${NO_BWRAP_HINT}` });
  }
}

/** Runs the program under bubblewrap with inherited stdio; resolves with its exit code. */
export function runBwrap(run: BwrapRun, env: NodeJS.ProcessEnv): Promise<number> {
  return runInherited(BWRAP, bwrapArgs(run), { env, cwd: run.cwd });
}
