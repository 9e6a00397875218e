/**
 * The operator's off switch: `git config coord-hooks.warm false` (any scope) or COORD_HOOKS_WARM=0 in
 * the hook's environment.
 */
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

/**
 * The switch as the warm process asks it before each request. The answer comes from git each time,
 * through git/read-memo.ts (the warm process turns it on): kept while every config file it can come
 * from is unchanged, so the switch costs a few stat calls per request and a change is seen at once.
 */
export class WarmSwitch {
  allowed(cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
    return warmSetting(cwd, env);
  }
}
