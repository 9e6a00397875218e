/**
 * Registers coord-hooks in Claude Code's settings.
 *
 * - Per clone (`install --claude`): `<top>/.claude/settings.local.json`, Claude Code's personal,
 *   uncommitted file (read from the repository root, in subdirectories and worktrees too), with absolute
 *   paths of node and the CLI; `/.claude/settings.local.json` goes into the common git directory's
 *   `info/exclude`, so `git add -A` never stages it (in any worktree). Uninstall leaves that line: it
 *   costs nothing, and Claude Code's own personal file belongs out of git anyway.
 * - Shared (`install --claude --shared`): `<top>/.claude/settings.json`, for the architect to commit:
 *   portable commands (claude-command.ts, flavour `shared`), never machine paths, never a sandbox block.
 *
 * Both files are merged into what is there (every other key and hook kept), idempotently; uninstall
 * removes only ours. Claude Code runs the hooks of both files; the guard in each gives the same verdict,
 * so a clone with both runs the guard twice (in parallel) and either one blocks. SessionStart is
 * registered once: a local install leaves it out when the shared file already has ours.
 *
 * The OS sandbox and permission rules (helper module sandbox/, `claudeSandboxSettings`) come in as a
 * ready block through `withSandboxBlock`; what we put there is remembered in the git directory so that
 * re-installs replace it and uninstall takes it out, leaving the user's own rules alone.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import { GitRepo } from '../git/repo';
import {
  claudeHookCommand, GUARD_TIMEOUT, ourHookName, warmOfCommand, SESSION_START_TIMEOUT, STOP_TIMEOUT, thisCli, type CliLocation, type CommandFlavour,
} from './claude-command';
import type { Policy, Team } from '../policy/types';
import { ourHooksIn, readSettings, withOurEntries, writeSettings, type OurEntry, type Settings } from './claude-settings-file';
import type { WarmHookPaths } from './template';

export { isGuardCommand } from './claude-command';

/** Tools that write or run programs (MCP tools: the guard judges their path-like input keys). */
export const WRITE_MATCHER = 'Write|Edit|MultiEdit|NotebookEdit|Bash|PowerShell|Monitor|mcp__.*';
/** Tools that read: guarded only when the team's read scope is narrower than everything. */
export const READ_MATCHER = 'Read|Glob|Grep|LSP';
export const SESSION_START_MATCHER = 'startup|resume|clear|compact';
export const LOCAL_SETTINGS = join('.claude', 'settings.local.json');
export const SHARED_SETTINGS = join('.claude', 'settings.json');
export const EXCLUDE_LINE = '/.claude/settings.local.json';

/**
 * Names Claude Code's Linux sandbox masks in the working directory whether or not they exist (a
 * /dev/null bound over each, as listed in the 2.1.332 binary): inside a sandboxed command they show up
 * as device files, and `git add -A` there fails ("can only add regular files"). Ignored at the top
 * level of the clone; a tracked file of that name is not affected, and `git add -f` still adds one.
 */
export const SANDBOX_MASKED_FILES = ['.gitconfig', '.gitmodules', '.bashrc', '.bash_profile', '.zshrc', '.zprofile', '.profile', '.ripgreprc', '.mcp.json',
  // and directories (`.claude` is masked too, but it holds the settings and exists already)
  '.vscode', '.idea', '.husky', '.cargo', '.devcontainer', '.yarn', '.mvn', '.config'];

/** What G's `claudeSandboxSettings(...)` returns (its `sandbox` and `permissions` keys), merged into settings.local.json. */
export interface ClaudeSandboxBlock {
  sandbox?: Record<string, unknown>;
  permissions?: Record<string, string[]>;
}

export interface ClaudeInstallOptions {
  /** The team the clone works for (only reported: the hooks read git config coord-hooks.team). */
  team?: string;
  /** Also guard Read, Glob, Grep and LSP (when the team's read scope is narrower than everything). */
  readScopeNarrow: boolean;
  /** Register the Stop hook that hands the session a new announcement instead of letting it stop. */
  waitForAnnouncements?: boolean;
  /** Local install only: the sandbox + permissions block (sandbox/ claudeSandboxSettings). */
  sandbox?: ClaudeSandboxBlock | null;
  /** Local install only: node and the CLI the commands record (default: this process, this package). */
  where?: CliLocation;
}

export interface ClaudeInstallSummary {
  settingsPath: string;
  action: 'created' | 'updated' | 'unchanged';
  flavour: CommandFlavour;
  /** Event → matcher ('' without one), in registration order. */
  registered: { event: string; matcher: string }[];
  team?: string;
  /** Local: whether info/exclude got the line now. */
  excluded?: 'added' | 'present';
  /** Local: our hooks an older install left in the shared settings.json, moved out. */
  migrated?: string;
  /** Local: the shared settings.json also registers ours (how they combine is said in the summary). */
  sharedAlso?: boolean;
  sandbox?: 'written' | 'none';
  /** What the sandbox cannot enforce here, and whether it can start at all. */
  sandboxNotes?: string[];
}

export interface ClaudeRemoval {
  settingsPath: string;
  action: 'removed' | 'absent';
  notes: string[];
}

/** A command of the shared flavour (no machine paths). */
export function isSharedCommand(command: string): boolean {
  return command.includes('node_modules/.bin/coord-hooks') && command.includes('CLAUDE_PROJECT_DIR');
}
const isLocalCommand = (command: string) => !isSharedCommand(command);

interface Places {
  top: string;
  local: string;
  shared: string;
  exclude: string;
  commonDir: string;
}

async function places(cwd: string): Promise<Places> {
  const repo = new GitRepo(cwd);
  try {
    const { stdout } = await repo.run(['rev-parse', '--path-format=absolute', '--show-toplevel', '--git-common-dir', '--git-path', 'info/exclude']);
    const [top, commonDir, exclude] = stdout.toString('utf8').split('\n').filter(Boolean);
    return { top, local: join(top, LOCAL_SETTINGS), shared: join(top, SHARED_SETTINGS), exclude, commonDir };
  } catch (error) {
    throw new CoordError(`${cwd} is not inside a git work tree (${errorMessage(error).split('\n')[0]})`, { hint: 'run this inside the clone the agent works in' });
  } finally {
    repo.close();
  }
}

/** The matcher groups we register. */
export function ourEntries(flavour: CommandFlavour, options: { readScopeNarrow: boolean; waitForAnnouncements?: boolean; sessionStart?: boolean; where?: CliLocation }): OurEntry[] {
  const where = options.where ?? thisCli();
  // A shared file serves every team: it guards reads too (a team reading everything gets a quick allow).
  const reads = flavour === 'shared' || options.readScopeNarrow;
  const entries: OurEntry[] = [{
    event: 'PreToolUse', hook: 'claude-guard', matcher: reads ? `${WRITE_MATCHER}|${READ_MATCHER}` : WRITE_MATCHER,
    command: claudeHookCommand('claude-guard', flavour, where), timeout: GUARD_TIMEOUT, onFailure: 'block',
  }];
  if (options.sessionStart !== false) {
    entries.push({ event: 'SessionStart', hook: 'claude-session-start', matcher: SESSION_START_MATCHER, command: claudeHookCommand('claude-session-start', flavour, where), timeout: SESSION_START_TIMEOUT });
  }
  if (options.waitForAnnouncements && flavour === 'local') {
    entries.push({ event: 'Stop', hook: 'claude-stop', command: claudeHookCommand('claude-stop', flavour, where), timeout: STOP_TIMEOUT });
  }
  return entries;
}

/** Adds `/.claude/settings.local.json` to info/exclude (the common git directory's: worktrees share it). */
export function ensureExcluded(excludeFile: string, sandboxed = false): 'added' | 'present' {
  const text = existsSync(excludeFile) ? readFileSync(excludeFile, 'utf8') : '';
  const lines = new Set(text.split('\n').map((line) => line.trim()));
  const blocks: string[] = [];
  if (!lines.has(EXCLUDE_LINE)) blocks.push(`# coord-hooks: Claude Code's per-clone settings, never committed\n${EXCLUDE_LINE}\n`);
  const masks = SANDBOX_MASKED_FILES.map((name) => `/${name}`).filter((line) => !lines.has(line));
  if (sandboxed && masks.length) blocks.push(`# coord-hooks: names Claude Code's sandbox masks with /dev/null in the working directory (git add -A would fail on them)\n${masks.join('\n')}\n`);
  if (blocks.length === 0) return 'present';
  mkdirSync(dirname(excludeFile), { recursive: true });
  appendFileSync(excludeFile, `${text === '' || text.endsWith('\n') ? '' : '\n'}${blocks.join('')}`);
  return 'added';
}

// ---- the sandbox block (integration point for sandbox/ claudeSandboxSettings) ----

interface OwnedRecord { sandbox?: unknown; permissions?: Record<string, string[]> }

function ownedFile(commonDir: string): string {
  return join(commonDir, 'coord-hooks', 'claude-settings-owned.json');
}

function readOwned(commonDir: string): Record<string, OwnedRecord> {
  try {
    return JSON.parse(readFileSync(ownedFile(commonDir), 'utf8')) as Record<string, OwnedRecord>;
  } catch {
    return {};
  }
}

function writeOwned(commonDir: string, data: Record<string, OwnedRecord>): void {
  const file = ownedFile(commonDir);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(data, null, 1));
  renameSync(`${file}.tmp`, file);
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `settings` without what `owned` says we put there (a sandbox the user changed since is kept, with a note). */
function withoutOwned(settings: Settings, owned: OwnedRecord | undefined, notes: string[]): Settings {
  if (!owned) return settings;
  const next: Settings = { ...settings };
  if (owned.sandbox !== undefined && next.sandbox !== undefined) {
    if (same(next.sandbox, owned.sandbox)) delete next.sandbox;
    else notes.push('"sandbox" was changed by hand since coord-hooks wrote it: left as it is');
  }
  const permissions = next.permissions as Record<string, unknown> | undefined;
  if (owned.permissions && permissions) {
    const rest: Record<string, unknown> = { ...permissions };
    for (const [key, rules] of Object.entries(owned.permissions)) {
      if (!Array.isArray(rest[key])) continue;
      const left = (rest[key] as unknown[]).filter((rule) => !rules.includes(rule as string));
      if (left.length) rest[key] = left;
      else delete rest[key];
    }
    if (Object.keys(rest).length) next.permissions = rest;
    else delete next.permissions;
  }
  return next;
}

/**
 * THE integration point for the OS sandbox: `settings` with `block` merged in. `block.sandbox` replaces
 * the `sandbox` key whole (it is generated from the policy); each `block.permissions` list (deny, allow,
 * ask) is added to the file's list, keeping the user's rules and their order. Pure.
 */
export function withSandboxBlock(settings: Settings, block: ClaudeSandboxBlock | null | undefined): Settings {
  if (!block) return settings;
  const next: Settings = { ...settings };
  if (block.sandbox !== undefined) next.sandbox = block.sandbox;
  if (block.permissions) {
    const permissions: Record<string, unknown> = { ...((next.permissions as Record<string, unknown> | undefined) ?? {}) };
    for (const [key, rules] of Object.entries(block.permissions)) {
      const existing = Array.isArray(permissions[key]) ? (permissions[key] as unknown[]) : [];
      permissions[key] = [...existing, ...rules.filter((rule) => !existing.includes(rule))];
    }
    next.permissions = permissions;
  }
  return next;
}

/** What of `block` is ours to take out later: the sandbox, and the rules the user did not have already. */
function ownedPart(before: Settings, block: ClaudeSandboxBlock | null | undefined): OwnedRecord | undefined {
  if (!block) return undefined;
  const had = (before.permissions as Record<string, unknown> | undefined) ?? {};
  const permissions: Record<string, string[]> = {};
  for (const [key, rules] of Object.entries(block.permissions ?? {})) {
    const existing = Array.isArray(had[key]) ? (had[key] as unknown[]) : [];
    permissions[key] = rules.filter((rule) => !existing.includes(rule));
  }
  return { sandbox: block.sandbox, permissions };
}

// ---- install / uninstall ----

function describe(entries: OurEntry[]): ClaudeInstallSummary['registered'] {
  return entries.map((entry) => ({ event: entry.event, matcher: entry.matcher ?? '' }));
}

export async function installClaudeSettings(cwd: string, options: ClaudeInstallOptions): Promise<ClaudeInstallSummary> {
  const where = await places(cwd);
  // The shared file: an older install's local hooks move out of it; the architect's shared ones stay.
  const sharedBefore = readSettings(where.shared);
  const leftovers = ourHooksIn(sharedBefore, isLocalCommand);
  let migrated: string | undefined;
  if (sharedBefore && leftovers.size) {
    writeSettings(where.shared, withOurEntries(sharedBefore, [], isLocalCommand));
    migrated = `moved coord-hooks' ${[...leftovers.keys()].join(', ')} hook out of ${where.shared} (an older install put it there) into ${where.local}`;
  }
  const sharedOurs = ourHooksIn(sharedBefore, isSharedCommand);

  const existing = readSettings(where.local);
  const notes: string[] = [];
  const owned = readOwned(where.commonDir);
  const base = withoutOwned(existing ?? {}, owned[where.local], notes);
  const entries = ourEntries('local', { ...options, sessionStart: !sharedOurs.has('SessionStart') });
  const settings = withSandboxBlock(withOurEntries(base, entries), options.sandbox);
  const record = ownedPart(base, options.sandbox);
  if (record) owned[where.local] = record;
  else delete owned[where.local];
  writeOwned(where.commonDir, owned);

  const excluded = ensureExcluded(where.exclude, Boolean(options.sandbox?.sandbox));
  const summary: ClaudeInstallSummary = {
    settingsPath: where.local, action: 'unchanged', flavour: 'local', registered: describe(entries), team: options.team, excluded, migrated,
    sharedAlso: sharedOurs.has('PreToolUse'), sandbox: options.sandbox ? 'written' : 'none',
  };
  if (existing && same(existing, settings)) return summary;
  writeSettings(where.local, settings);
  return { ...summary, action: existing ? 'updated' : 'created' };
}

/** `install --claude --shared`: the portable entries in `.claude/settings.json`, for the architect to commit. */
export async function installSharedClaudeSettings(cwd: string): Promise<ClaudeInstallSummary> {
  const where = await places(cwd);
  const existing = readSettings(where.shared);
  const entries = ourEntries('shared', { readScopeNarrow: true });
  const settings = withOurEntries(existing ?? {}, entries, isSharedCommand);
  const summary: ClaudeInstallSummary = { settingsPath: where.shared, action: 'unchanged', flavour: 'shared', registered: describe(entries) };
  if (existing && same(existing, settings)) return summary;
  writeSettings(where.shared, settings);
  return { ...summary, action: existing ? 'updated' : 'created' };
}

/**
 * Removes ours: from settings.local.json (hooks and the sandbox block), and local hooks an older install
 * left in settings.json; with `shared`, the shared entries of settings.json instead. info/exclude keeps its line.
 */
export async function uninstallClaudeSettings(cwd: string, options: { shared?: boolean } = {}): Promise<ClaudeRemoval[]> {
  const where = await places(cwd);
  const out: ClaudeRemoval[] = [];
  const remove = (path: string, which: (command: string) => boolean, owned?: Record<string, OwnedRecord>) => {
    const existing = readSettings(path);
    const notes: string[] = [];
    if (!existing) { out.push({ settingsPath: path, action: 'absent', notes }); return; }
    const hadOurs = ourHooksIn(existing, which).size > 0 || Boolean(owned?.[path]);
    const settings = withOurEntries(withoutOwned(existing, owned?.[path], notes), [], which);
    if (!hadOurs) { out.push({ settingsPath: path, action: 'absent', notes }); return; }
    writeSettings(path, settings);
    out.push({ settingsPath: path, action: 'removed', notes });
  };
  if (options.shared) {
    remove(where.shared, isSharedCommand);
    return out;
  }
  const owned = readOwned(where.commonDir);
  remove(where.local, () => true, owned);
  if (owned[where.local]) { delete owned[where.local]; writeOwned(where.commonDir, owned); }
  const shared = readSettings(where.shared);
  if (ourHooksIn(shared, isLocalCommand).size) remove(where.shared, isLocalCommand);
  return out;
}

/**
 * THE place the sandbox block comes from (install and post-merge both call it). Helper G's sandbox/
 * module exports `claudeSandboxSettings(policy, team, repoTop, gitDirs)`; until it is wired here, no
 * block (null): the guard and the git hooks are the layers.
 */
export async function sandboxBlockFor(policy: Policy, team: Team, cwd: string): Promise<{ block: ClaudeSandboxBlock; notes: string[] }> {
  const [{ cloneDirs }, { claudeSandboxSettingsFor, withLocalRemotes }, { localRemoteGitDirs }] = await Promise.all([
    import('../sandbox/locate'), import('../sandbox/claude-settings'), import('../sandbox/remotes')]);
  const repo = new GitRepo(cwd);
  try {
    const { top, gitDirs } = await cloneDirs(repo);
    const { settings, notes } = claudeSandboxSettingsFor(policy, team, top, gitDirs);
    // A remote that is a path on this machine is written by the pushing git itself.
    return { block: withLocalRemotes(settings, await localRemoteGitDirs(repo, top)), notes: [...sandboxAvailability(), ...notes] };
  } finally {
    repo.close();
  }
}

/** Where Claude Code's sandbox cannot start: with failIfUnavailable, every Bash call then fails (closed). */
function sandboxAvailability(): string[] {
  if (process.platform === 'darwin') return [];
  if (process.platform !== 'linux') {
    return [`Claude Code has no sandbox on ${process.platform}: with sandbox.failIfUnavailable every Bash command fails; run Claude Code in WSL2 or a Linux container`];
  }
  const found = (process.env.PATH ?? '').split(':').some((dir) => dir && ['bwrap', 'socat'].every((tool) => existsSync(join(dir, tool))));
  return found ? [] : ['bubblewrap and socat are not both on PATH: Claude Code cannot start its sandbox, and with sandbox.failIfUnavailable every Bash command fails until they are installed (apt-get install bubblewrap socat)'];
}

/** `install --claude` for a team (also what post-merge re-runs when the policy changed). */
export async function installClaudeForTeam(cwd: string, policy: Policy, team: Team, options: { waitForAnnouncements?: boolean; where?: CliLocation } = {}): Promise<ClaudeInstallSummary> {
  const { readsEverything } = await import('./guard-path');
  const { block, notes } = await sandboxBlockFor(policy, team, cwd);
  const summary = await installClaudeSettings(cwd, { team: team.name, readScopeNarrow: !readsEverything(team), waitForAnnouncements: options.waitForAnnouncements, sandbox: block, where: options.where });
  return { ...summary, sandboxNotes: notes };
}

/** Whether the clone's settings.local.json registers ours, and with the Stop hook (post-merge regenerates from this). */
export async function installedClaudeSettings(cwd: string): Promise<{ installed: boolean; waitForAnnouncements: boolean; sandbox: boolean; warm?: WarmHookPaths }> {
  const where = await places(cwd);
  let warm: WarmHookPaths | undefined;
  const ours = ourHooksIn(readSettings(where.local), (command) => {
    if (ourHookName(command) === 'claude-guard') warm ??= warmOfCommand(command) ?? undefined;
    return true;
  });
  return { installed: ours.size > 0, waitForAnnouncements: ours.has('Stop'), sandbox: Boolean(readOwned(where.commonDir)[where.local]?.sandbox), warm };
}

export function formatClaudeSummary(summary: ClaudeInstallSummary): string {
  const what = { created: 'created', updated: 'updated', unchanged: 'already up to date' }[summary.action];
  const hooks = summary.registered.map((entry) => `${entry.event}${entry.matcher ? ` ${entry.matcher}` : ''}`).join('; ');
  const lines = [`Claude Code: ${summary.settingsPath} ${what} (${hooks}${summary.team ? `; team ${summary.team}` : ''})`];
  if (summary.flavour === 'shared') {
    lines.push('  portable commands (coord-hooks from node_modules/.bin or PATH; blocks every write when it is missing): commit this file for every team');
    lines.push('  each clone still runs `coord-hooks install --team T` (and may run `install --claude` for absolute paths and the sandbox)');
  }
  if (summary.excluded === 'added') lines.push(`  added ${EXCLUDE_LINE} to .git/info/exclude (git add -A never stages it)`);
  if (summary.migrated) lines.push(`  ${summary.migrated}`);
  if (summary.sharedAlso) lines.push('  .claude/settings.json registers the shared guard too: Claude Code runs both, either one blocks; SessionStart comes from the shared file');
  if (summary.sandbox === 'written') lines.push('  sandbox: programs run from Bash may write only the team\'s scope (and what git needs); see docs/sandbox.md');
  for (const note of summary.sandboxNotes ?? []) lines.push(`  note: ${note}`);
  return lines.join('\n') + '\n';
}

/** Used by tests and callers that judge a file's hooks: which of ours a command is. */
export { ourHookName };
