/**
 * Installing and uninstalling coord-hooks' git hooks: the server gate in a bare repository
 * (pre-receive, post-receive) and the early-feedback hooks in a clone. See docs/install.md.
 */
import { accessSync, constants, existsSync, mkdirSync } from 'fs';
import { join, resolve, sep } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import { packageInfo } from '../core/package-info';
import { checkInstallable, inspectHook, installHookFile, uninstallHookFile, type HookFileResult, type InstallAction, type UninstallAction } from './chain';
import { locateCloneHooks, locateServerHooks, type HooksLocation } from './locate';
import { applySettings, cloneSettings, removeSettings, serverSettings, type SettingResult } from './repo-config';
import { CLIENT_HOOKS, SERVER_HOOKS, renderHookScript, type HookSide, type WarmHookPaths } from './template';
import type { GitRepo } from '../git/repo';

export { HOOK_MARKER, CHAINED_SUFFIX, SERVER_HOOKS, CLIENT_HOOKS } from './template';
export { formatInstallSummary, formatUninstallSummary } from './summary';

export interface InstallOptions {
  /** Environment for git (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Internal, for tests: the node binary the scripts record (default: process.execPath). */
  nodePath?: string;
  /** Internal, for tests: the CLI the scripts run (default: <package root>/dist/cli/main.js). */
  cliPath?: string;
  /**
   * Prepares the warm process's client for the repository whose common git dir is given (the CLI passes
   * warm/'s builder: hooks/ does not import warm/). A note instead of paths: the hooks stay cold.
   */
  warm?: (commonDir: string) => Promise<WarmHookPaths | { note: string }>;
}

export interface CloneInstallOptions extends InstallOptions {
  /** Stored as `git config coord-hooks.team`. */
  team?: string;
}

export interface InstallSummary {
  side: HookSide;
  gitDir: string;
  hooksDir: string;
  nodePath: string;
  cliPath: string;
  team?: string;
  hooks: HookFileResult<InstallAction>[];
  /** Git settings made or found (server: push certificates and fsck; clone: push.gpgSign). */
  settings: SettingResult[];
  notes: string[];
}

export interface UninstallSummary {
  side: HookSide;
  gitDir: string;
  hooksDir: string;
  /** Set when `coord-hooks.team` was unset. */
  teamUnset?: string;
  hooks: HookFileResult<UninstallAction>[];
  /** Settings install had made: removed, or left because they changed since. */
  settings: SettingResult[];
  notes: string[];
}

export const CLIENT_TEAM_KEY = 'coord-hooks.team';

/** The node binary and CLI that installed scripts will run: where this process runs from. */
export function runtimePaths(options: InstallOptions = {}): { nodePath: string; cliPath: string; notes: string[] } {
  const nodePath = resolve(options.nodePath ?? process.execPath);
  const cliPath = resolve(options.cliPath ?? join(packageInfo().root, 'dist', 'cli', 'main.js'));
  try {
    accessSync(nodePath, constants.X_OK);
  } catch {
    throw new CoordError(`node is not executable at ${nodePath}`, { hint: 'run the install with the node binary the hooks should use' });
  }
  if (!existsSync(cliPath)) {
    throw new CoordError(`the coord-hooks CLI is missing at ${cliPath}`, {
      hint: 'build the package first (`npm run build`), or install it from npm (`npm install -D coord-hooks`, or install.sh for servers)',
    });
  }
  const notes = cliPath.includes(`${sep}_npx${sep}`) ? [
    `coord-hooks runs from npx's cache (${cliPath}); the hooks record that path, and npm may delete it: ` +
    'add coord-hooks to the project (`npm install -D coord-hooks`) and re-run `npx coord-hooks install`',
  ] : [];
  return { nodePath, cliPath, notes };
}

export async function installServerHooks(repoPath: string, options: InstallOptions = {}): Promise<InstallSummary> {
  const runtime = runtimePaths(options);
  const location = await locateServerHooks(repoPath, options.env ?? process.env);
  location.repo.close();
  const warm = await prepareWarm(options, location.gitDir);
  const hooks = writeHooks(location, SERVER_HOOKS, 'server', { ...runtime, warm: warm.paths });
  const settings = await applySettings(location.repo, serverSettings(location.gitDir));
  return { side: 'server', gitDir: location.gitDir, hooksDir: location.hooksDir, ...runtime, hooks, settings, notes: [...runtime.notes, ...location.notes, ...warm.notes] };
}

export async function installCloneHooks(cwd: string, options: CloneInstallOptions = {}): Promise<InstallSummary> {
  if (options.team !== undefined) checkTeamName(options.team);
  const runtime = runtimePaths(options);
  const location = await locateCloneHooks(cwd, options.env ?? process.env);
  const previous = await location.repo.configGet(CLIENT_TEAM_KEY);
  // Checked before anything is written: a mistyped team fails here, not at the first commit.
  const teamNotes = options.team === undefined ? [] : await checkTeamInPolicy(location.repo, options.team);
  const warm = await prepareWarm(options, await location.repo.commonDir());
  const hooks = writeHooks(location, CLIENT_HOOKS, 'client', { ...runtime, warm: warm.paths });
  if (options.team !== undefined) await location.repo.configSet(CLIENT_TEAM_KEY, options.team);
  if (options.team !== undefined && previous !== null && previous !== options.team) {
    teamNotes.unshift(`this clone's team switched from "${previous}" to "${options.team}" (git config ${CLIENT_TEAM_KEY})`);
  }
  const team = options.team ?? previous ?? undefined;
  // A clone without a signing key must not promise signed pushes: git would fail every push to a
  // server that asks for a certificate. `keys --create` sets push.gpgSign when it configures a key.
  const hasKey = (await location.repo.configGet('user.signingkey')) !== null;
  const settings = hasKey ? await applySettings(location.repo, cloneSettings()) : [];
  const notes = [...runtime.notes, ...location.notes, ...teamNotes, ...warm.notes];
  if (!hasKey) {
    notes.push('this clone has no signing key, so its pushes carry no push certificate; that is all `ref` and `pusher` mode need from a team. ' +
      'To sign done-tags and pushes (the architect, `signature` mode): coord-hooks keys --create');
  }
  return { side: 'client', gitDir: location.gitDir, hooksDir: location.hooksDir, ...runtime, team, hooks, settings, notes };
}

export async function uninstallServerHooks(repoPath: string, options: Pick<InstallOptions, 'env'> = {}): Promise<UninstallSummary> {
  const location = await locateServerHooks(repoPath, options.env ?? process.env);
  location.repo.close();
  const hooks = removeHooks(location, SERVER_HOOKS);
  const settings = await removeSettings(location.repo, serverSettings(location.gitDir), location.gitDir);
  return { side: 'server', gitDir: location.gitDir, hooksDir: location.hooksDir, hooks, settings, notes: [] };
}

export async function uninstallCloneHooks(cwd: string, options: Pick<InstallOptions, 'env'> = {}): Promise<UninstallSummary> {
  const location = await locateCloneHooks(cwd, options.env ?? process.env);
  const hooks = removeHooks(location, CLIENT_HOOKS);
  const team = await location.repo.configGet(CLIENT_TEAM_KEY);
  if (team !== null) await location.repo.configUnset(CLIENT_TEAM_KEY);
  const settings = await removeSettings(location.repo, cloneSettings());
  return { side: 'client', gitDir: location.gitDir, hooksDir: location.hooksDir, teamUnset: team ?? undefined, hooks, settings, notes: [] };
}

async function prepareWarm(options: InstallOptions, commonDir: string): Promise<{ paths?: WarmHookPaths; notes: string[] }> {
  if (!options.warm) return { notes: [] };
  const prepared = await options.warm(commonDir);
  return 'note' in prepared ? { notes: [prepared.note] } : { paths: prepared, notes: [] };
}

function writeHooks(location: HooksLocation, names: readonly string[], side: HookSide, runtime: { nodePath: string; cliPath: string; warm?: WarmHookPaths }) {
  return onFiles(location.hooksDir, () => {
    mkdirSync(location.hooksDir, { recursive: true });
    const plans = names.map((hook) => inspectHook(location.hooksDir, hook));
    plans.forEach(checkInstallable);
    return plans.map((plan) => installHookFile(plan, (chained) => renderHookScript({ hook: plan.hook, side, ...runtime, chained })));
  });
}

function removeHooks(location: HooksLocation, names: readonly string[]) {
  return onFiles(location.hooksDir, () => names.map((hook) => uninstallHookFile(inspectHook(location.hooksDir, hook))));
}

/** File system failures (permissions, read-only mounts) become errors that say where and what to do. */
function onFiles<T>(hooksDir: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof CoordError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new CoordError(`cannot change hooks in ${hooksDir}: ${errorMessage(error)}`, {
      hint: code === 'EACCES' || code === 'EPERM' ? 'run it as the user that owns the repository' : 'check the hooks directory, then re-run',
      cause: error,
    });
  }
}

function checkTeamName(team: string): void {
  if (!/^[^\s/\\-][^\s/\\]*$/.test(team)) {
    throw new CoordError(`--team "${team}" is not a team name`, { hint: 'a team name is one path component, like the `<team>` in branch `<team>/round-1`' });
  }
}

/**
 * `install --team T` checks T against the policy this clone's hooks will use (the protected branch,
 * else the work tree): an unknown team is a usage error (exit 2) naming the closest team. A policy
 * that declares no team yet (a new repository) or that has problems cannot say: the team is kept,
 * with a note, and the hooks check it at each commit. Returns the notes.
 */
async function checkTeamInPolicy(repo: GitRepo, team: string): Promise<string[]> {
  const [{ closestTeam, locatePolicy, findTeam }, { PolicyError }] = await Promise.all([import('../policy/locate'), import('../policy/problems')]);
  let located: Awaited<ReturnType<typeof locatePolicy>>;
  try {
    located = await locatePolicy(repo);
  } catch (error) {
    if (!(error instanceof PolicyError)) throw error;
    return [`team "${team}" is not checked: the policy has problems (${error.problems.length}); \`coord-hooks explain CLAUDE.md\` lists them, and every commit checks the team once the policy is valid`];
  } finally {
    repo.close(); // reading the policy started a cat-file process
  }
  if (located.policy.teams.length === 0) {
    return [`team "${team}" is not checked: the policy (from ${located.source}) declares no team yet; once it does, every commit checks the team, and \`coord-hooks install --team T\` corrects it`];
  }
  try {
    findTeam(located.policy, team, located.source);
  } catch (error) {
    if (!(error instanceof CoordError)) throw error;
    const retry = closestTeam(located.policy, team) ?? 'T';
    throw new CoordError(error.message, { hint: `${error.hint}; nothing was changed: run \`coord-hooks install --team ${retry}\``, cause: error });
  }
  return [];
}
