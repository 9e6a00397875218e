/**
 * Server-side settings, read from the repository's own config file only (`git config --file`), so that
 * nothing the pusher controls (push options, environment, -c) can change them.
 */
import { join, resolve } from 'path';
import type { GitRepo } from '../git/repo';

export interface ServerSettings {
  gitDir: string;
  policyBranch: string;
  bypass: boolean;
  timeoutSeconds: number;
  /** Prefix for every message line, e.g. "GL-HOOK-ERR: " (coord-hooks.messagePrefix). */
  prefix: string;
  /**
   * Whether receive-pack already checked every pushed object as `git fsck --strict` does before the
   * hook ran: receive.fsckObjects (or transfer.fsckObjects) on, and no receive.fsck.* / fsck.* setting
   * that could weaken it. Then the gate does not parse every new tree again.
   */
  gitChecksObjects: boolean;
  /** The one host variable that names the pusher (coord-hooks.pusherVariable); unset: every known one, which must agree. */
  pusherVariable?: string;
}

/** receive-pack's own view: every config scope, as it read them for this push. */
async function objectsCheckedByGit(repo: GitRepo): Promise<boolean> {
  const result = await repo.run(['config', '--get-regexp', '^(receive|transfer|fsck)\\.'], { okCodes: [1] });
  const values = new Map<string, string>();
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    const key = (space > 0 ? line.slice(0, space) : line).toLowerCase();
    if (key) values.set(key, space > 0 ? line.slice(space + 1) : 'true');
  }
  if ([...values.keys()].some((key) => key.startsWith('receive.fsck.') || key.startsWith('fsck.'))) return false;
  const on = (value: string | undefined) => value !== undefined && /^(true|yes|on|1)$/i.test(value);
  const receive = values.get('receive.fsckobjects');
  return receive !== undefined ? on(receive) : on(values.get('transfer.fsckobjects'));
}

/** In a hook git sets GIT_DIR (relative to the hook's cwd); elsewhere ask git. */
export async function hookGitDir(repo: GitRepo): Promise<string> {
  const fromEnv = repo.env?.GIT_DIR;
  return fromEnv ? resolve(repo.cwd, fromEnv) : repo.gitDir();
}

export async function readServerSettings(repo: GitRepo): Promise<ServerSettings> {
  const gitDir = await hookGitDir(repo);
  const checked = objectsCheckedByGit(repo);
  checked.catch(() => undefined); // awaited below
  const result = await repo.run(['config', '--file', join(gitDir, 'config'), '--get-regexp', '^coord-hooks\\.'], { okCodes: [1] });
  const values = new Map<string, string>();
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) values.set(line.slice(0, space).toLowerCase(), line.slice(space + 1));
  }
  const seconds = Number(values.get('coord-hooks.timeout') ?? '60');
  const gitChecksObjects = await checked;
  return {
    gitDir,
    policyBranch: values.get('coord-hooks.branch') ?? 'main',
    bypass: values.get('coord-hooks.bypass') === 'true',
    timeoutSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 60,
    prefix: values.get('coord-hooks.messageprefix') ?? '',
    gitChecksObjects,
    pusherVariable: values.get('coord-hooks.pushervariable') || undefined,
  };
}
