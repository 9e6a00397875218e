/**
 * Server-side settings, read from the repository's own config file only (`git config --file`), so that
 * nothing the pusher controls (push options, environment, -c) can change them.
 */
import { join } from 'path';
import type { GitRepo } from '../git/repo';

export interface ServerSettings {
  gitDir: string;
  policyBranch: string;
  bypass: boolean;
  timeoutSeconds: number;
  /** Prefix for every message line, e.g. "GL-HOOK-ERR: " (coord-hooks.messagePrefix). */
  prefix: string;
}

export async function readServerSettings(repo: GitRepo): Promise<ServerSettings> {
  const gitDir = await repo.gitDir();
  const file = join(gitDir, 'config');
  const get = async (key: string) => {
    const result = await repo.run(['config', '--file', file, '--get', key], { okCodes: [1] });
    return result.code === 0 ? result.stdout.toString('utf8').replace(/\n$/, '') : null;
  };
  const [branch, bypass, timeout, prefix] = await Promise.all([get('coord-hooks.branch'), get('coord-hooks.bypass'), get('coord-hooks.timeout'), get('coord-hooks.messagePrefix')]);
  const seconds = Number(timeout ?? '60');
  return {
    gitDir,
    policyBranch: branch ?? 'main',
    bypass: bypass === 'true',
    timeoutSeconds: Number.isFinite(seconds) && seconds > 0 ? seconds : 60,
    prefix: prefix ?? '',
  };
}
