/**
 * A team's workspace for `coord-hooks up`: a clone of the server repository outside the architect's
 * work tree, set up as a team clone should be: `install --team T` (the client hooks), a signing key
 * (the team's `~/.ssh/coord-hooks-<team>_ed25519`, created when missing, reused when present), and
 * `install --claude` (the guard, the session hooks and the sandbox settings). Idempotent: an existing
 * workspace is kept as it is (its branches, its commits), only re-configured.
 */
import { existsSync, mkdirSync } from 'fs';
import { basename, dirname, isAbsolute, join, resolve } from 'path';
import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { installClaudeForTeam } from '../hooks/claude-settings';
import { installCloneHooks } from '../hooks/install';
import { findTeam, locatePolicy } from '../policy/locate';
import { gitFailure } from '../rounds/context';
import { createTeamSshKey, signingKey } from '../rounds/keys';

export interface Workspace {
  team: string;
  dir: string;
  /** "type base64" of the key the workspace signs with. */
  publicKey?: string;
  created: boolean;
}

/** Default workspaces: `<architect top>/../<name>-teams/`, beside the architect's clone. */
export function defaultWorkspaces(architectTop: string): string {
  return join(dirname(architectTop), `${basename(architectTop)}-teams`);
}

/** The URL team clones are made from: the architect's remote, a relative path resolved against its work tree. */
export async function serverUrl(architect: GitRepo, remote: string, top: string): Promise<string> {
  const url = (await architect.configGet(`remote.${remote}.url`)) ?? remote;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/]+:/.test(url) || isAbsolute(url)) return url;
  return resolve(top, url);
}

export async function prepareWorkspace(options: { root: string; team: string; url: string; env: NodeJS.ProcessEnv; interactive: boolean }): Promise<Workspace> {
  const { team, env } = options;
  const dir = join(options.root, team);
  let created = false;
  if (!existsSync(join(dir, '.git'))) {
    mkdirSync(options.root, { recursive: true });
    const parent = new GitRepo(options.root, env);
    try {
      await parent.run(['clone', '-q', options.url, dir]);
    } catch (error) {
      throw new CoordError(`cannot clone ${options.url} into ${dir} for team ${team}: ${gitFailure(error)}`, { hint: 'check the architect\'s remote (git remote -v) and that the workspace directory is writable; --workspaces DIR puts them elsewhere' });
    }
    created = true;
  }
  const repo = new GitRepo(dir, env);
  try {
    // The team's key for this repository: made once, reused by every later workspace (rounds/keys.ts).
    if (!(await repo.configGet('user.signingkey'))) await createTeamSshKey(repo, team, env);
    await installCloneHooks(dir, { env, team });
    const { policy } = await locatePolicy(repo);
    await installClaudeForTeam(dir, policy, findTeam(policy, team), { waitForAnnouncements: options.interactive });
    const key = await signingKey(repo, env, dir);
    return { team, dir, publicKey: key.publicKey, created };
  } finally {
    repo.close();
  }
}
