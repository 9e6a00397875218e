/** The plan for a clone: its policy from the protected branch, its team, its git directories. */
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { cloneSetting, findTeam, locatePolicy } from '../policy/locate';
import { writePlan, type GitDirs, type SandboxPlan } from './plan';

export interface LocatedPlan {
  plan: SandboxPlan;
  /** Where the policy was read from ("origin/main", "work tree"). */
  source: string;
}

/** The clone's top and git directories (hooks included, wherever core.hooksPath puts them), from one rev-parse. */
export async function cloneDirs(repo: GitRepo): Promise<{ top: string; gitDirs: GitDirs }> {
  const lines = (await repo.run(['rev-parse', '--path-format=absolute', '--show-toplevel', '--absolute-git-dir', '--git-common-dir', '--git-path', 'hooks'])).stdout
    .toString('utf8').split('\n').filter(Boolean);
  const [top, gitDir, commonDir, hooksDir] = lines;
  return { top, gitDirs: { gitDir, commonDir, hooksDir } };
}

/** The team is --team, else the clone's `git config coord-hooks.team` (what `install --team` stores). */
export async function planForClone(repo: GitRepo, explicitTeam?: string): Promise<LocatedPlan> {
  const { top, gitDirs } = await cloneDirs(repo);
  const { policy, source } = await locatePolicy(repo);
  const teamName = explicitTeam ?? (await cloneSetting(repo, 'team'));
  if (!teamName) {
    throw new CoordError('which team? this clone has no team configured', { hint: 'pass --team T, or run `coord-hooks install --team T` in this clone' });
  }
  const team = findTeam(policy, teamName);
  return { plan: writePlan(policy, team, top, gitDirs), source };
}
