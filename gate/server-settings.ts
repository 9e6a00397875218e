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
}

/** In a hook git sets GIT_DIR (relative to the hook's cwd); elsewhere ask git. */
export async function hookGitDir(repo: GitRepo): Promise<string> {
  const fromEnv = repo.env?.GIT_DIR;
  return fromEnv ? resolve(repo.cwd, fromEnv) : repo.gitDir();
}

export async function readServerSettings(repo: GitRepo): Promise<ServerSettings> {
  const gitDir = await hookGitDir(repo);
  const result = await repo.run(['config', '--file', join(gitDir, 'config'), '--get-regexp', '^coord-hooks\\.'], { okCodes: [1] });
  const values = new Map<string, string>();
  for (const line of result.stdout.toString('utf8').split('\n')) {
    const space = line.indexOf(' ');
    if (space > 0) values.set(line.slice(0, space).toLowerCase(), line.slice(space + 1));
  }
  const seconds = Number(values.get('coord-hooks.timeout') ?? '60');
  return {
    gitDir,
    policyBranch: values.get('coord-hooks.branch') ?? 'main',
    bypass: values.get('coord-hooks.bypass') === 'true',
    timeoutSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 60,
    prefix: values.get('coord-hooks.messageprefix') ?? '',
  };
}
