/**
 * Starting the warm process: the cold run of a hook does it when the client found no process on the
 * socket (COORD_HOOKS_WARM_START names it) and the off switch allows it. The process starts detached,
 * in the repository's git dir, with no GIT_* variables (each request brings its own) and without
 * HOME and the TMPDIR variables, so that node's own fallbacks read the same as in a cold hook given
 * none (the hooks read these from each request's environment).
 */
import { closeSync, existsSync, mkdirSync, openSync, statSync, truncateSync } from 'fs';
import { dirname, join } from 'path';
import { packageInfo } from '../core/package-info';
import { spawnDetached } from '../core/process';
import { GitRepo } from '../git/repo';
import { shQuote } from '../hooks/template';
import { foreignEnv } from '../git/run';
import { warmPaths } from './paths';
import { warmSetting } from './switch';

/** The variable the client sets for a cold run that should start the warm process: the socket's path. */
export const START_VARIABLE = 'COORD_HOOKS_WARM_START';

/** Idle seconds before the process ends: COORD_HOOKS_WARM_IDLE_SECONDS (1 to 86400), default 900. */
export function idleSeconds(env: NodeJS.ProcessEnv): number {
  const asked = Number(env.COORD_HOOKS_WARM_IDLE_SECONDS);
  return Number.isFinite(asked) && asked >= 1 && asked <= 86400 ? asked : 900;
}

export function serverEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = foreignEnv(env);
  for (const name of ['HOME', 'TMPDIR', 'TMP', 'TEMP', START_VARIABLE, 'COORD_HOOKS_RUNNING', 'COORD_HOOKS']) delete clean[name];
  return clean;
}

/** This package's CLI (what a warm process runs). */
export function ownCli(): string {
  return join(packageInfo().root, 'dist', 'cli', 'main.js');
}

/**
 * Starts the process for the repository of `cwd` when the hook asked for it, the switch allows it and
 * the socket the hook named is this repository's. Best effort: a failure only means the next hook is cold too.
 */
export async function startWarmIfAsked(cwd: string, env: NodeJS.ProcessEnv): Promise<void> {
  const socket = env[START_VARIABLE];
  if (!socket) return;
  try {
    if (!(await warmSetting(cwd, env))) return;
    const repo = new GitRepo(cwd, env);
    let commonDir: string;
    try {
      commonDir = await repo.commonDir();
    } finally {
      repo.close();
    }
    const paths = warmPaths(commonDir);
    if (paths.socket !== socket || !existsSync(paths.client)) return;
    mkdirSync(dirname(paths.log), { recursive: true, mode: 0o700 });
    if (existsSync(paths.log) && statSync(paths.log).size > 1 << 20) truncateSync(paths.log, 0);
    const command = ['exec', process.execPath, ownCli(), 'warm', 'serve', '--git-dir', commonDir, '--idle', String(idleSeconds(env))].map((word, index) => (index ? shQuote(word) : word)).join(' ');
    const log = openSync(paths.log, 'a', 0o600);
    try {
      spawnDetached(command, { env: serverEnv(env), cwd: commonDir, logFd: log });
    } finally {
      closeSync(log);
    }
  } catch {
    // The hook's verdict is already given; without a warm process the next hook runs cold as well.
  }
}
