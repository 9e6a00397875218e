/**
 * The operator's off switch: `git config coord-hooks.warm false` (any scope) or COORD_HOOKS_WARM=0 in
 * the hook's environment. The warm process asks git only when a config file it could come from (or a
 * `git -c` variable) has changed since it last asked, so the switch costs a few stat calls per request.
 */
import { statSync } from 'fs';
import { join } from 'path';
import { GitRepo } from '../git/repo';

/** Whether warm answers are allowed for a hook run in `cwd` with `env` (a broken setting reads as off). */
export async function warmSetting(cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (env.COORD_HOOKS_WARM === '0') return false;
  const repo = new GitRepo(cwd, env);
  try {
    const result = await repo.run(['config', '--type=bool', '--get', 'coord-hooks.warm'], { okCodes: [1] });
    return result.code === 1 || result.stdout.toString('utf8').trim() !== 'false';
  } catch {
    return false;
  } finally {
    repo.close();
  }
}

function stamp(path: string | undefined): string {
  if (!path) return '-';
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
  } catch {
    return 'none';
  }
}

/** What the setting's answer depends on: every config file git reads, and the variables that add or move them. */
export function settingSources(gitDir: string, cwd: string, env: NodeJS.ProcessEnv): string {
  const home = env.HOME;
  const xdg = env.XDG_CONFIG_HOME || (home ? join(home, '.config') : undefined);
  const variables = Object.keys(env).filter((name) => name.startsWith('GIT_CONFIG') || name === 'GIT_DIR' || name === 'COORD_HOOKS_WARM').sort()
    .map((name) => `${name}=${env[name]}`);
  return [cwd, stamp(join(gitDir, 'config')), stamp(join(gitDir, 'config.worktree')), stamp(home && join(home, '.gitconfig')),
    stamp(xdg && join(xdg, 'git', 'config')), stamp('/etc/gitconfig'), ...variables].join('\n');
}

/**
 * Remembers the last answers by their sources (a few hundred at most: one per cwd and environment seen).
 * Its own key, not git/read-memo.ts's: the switch is asked before the hook runs, outside the hook's own
 * deadline (the guard's), so a request whose PATH names a slow git must not make it ask git again.
 */
export class WarmSwitch {
  private readonly answers = new Map<string, Promise<boolean>>();
  constructor(private readonly gitDir: string) {}

  allowed(cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
    if (env.COORD_HOOKS_WARM === '0') return Promise.resolve(false);
    const key = settingSources(this.gitDir, cwd, env);
    let answer = this.answers.get(key);
    if (!answer) {
      if (this.answers.size > 256) this.answers.clear();
      answer = warmSetting(cwd, env);
      this.answers.set(key, answer);
    }
    return answer;
  }
}
