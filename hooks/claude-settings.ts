/**
 * Registers the guard in Claude Code's project settings, `<repo top>/.claude/settings.json`: merged
 * into what is there (every other key and hook kept), idempotent, and removed again by uninstall.
 * Our entry is the PreToolUse hook whose command runs `hook claude-guard` of coord-hooks.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import { packageInfo } from '../core/package-info';
import { GitRepo } from '../git/repo';
import { shQuote } from './template';

export const WRITE_MATCHER = 'Write|Edit|MultiEdit|NotebookEdit|Bash';
export const READ_MATCHER = 'Read|Glob|Grep';
/** Seconds Claude Code waits for the guard (the guard itself gives up after 5 s, and blocks). */
export const GUARD_TIMEOUT = 10;

export interface ClaudeGuardOptions {
  /** The team the clone works for (only reported: the guard reads git config coord-hooks.team). */
  team?: string;
  /** Also guard Read, Glob and Grep (when the team's read scope is narrower than everything). */
  readScopeNarrow: boolean;
  /** The command Claude Code runs; see guardCommand(). */
  command: string;
}

export interface ClaudeGuardSummary {
  settingsPath: string;
  action: 'created' | 'updated' | 'unchanged';
  matcher: string;
  command: string;
  team?: string;
}

export interface ClaudeGuardRemoval {
  settingsPath: string;
  action: 'removed' | 'absent';
}

interface HookCommand { type?: unknown; command?: unknown; [key: string]: unknown }
interface MatcherGroup { matcher?: unknown; hooks?: unknown; [key: string]: unknown }
type Settings = Record<string, unknown> & { hooks?: Record<string, unknown> };

/** `'<node>' '<package root>/dist/cli/main.js' hook claude-guard`, absolute paths (hooks run with any PATH). */
export function guardCommand(): string {
  return `${shQuote(process.execPath)} ${shQuote(join(packageInfo().root, 'dist', 'cli', 'main.js'))} hook claude-guard`;
}

/** Ours: runs `hook claude-guard` of coord-hooks (by name, or through its dist/cli/main.js). */
export function isGuardCommand(command: unknown): boolean {
  return typeof command === 'string' && /\bhook claude-guard\b/.test(command) && /coord-hooks|dist\/cli\/main\.js/i.test(command);
}

async function settingsPath(cwd: string): Promise<string> {
  const repo = new GitRepo(cwd);
  try {
    return join(await repo.topLevel(), '.claude', 'settings.json');
  } catch (error) {
    throw new CoordError(`${cwd} is not inside a git work tree (${errorMessage(error).split('\n')[0]})`, { hint: 'run this inside the clone the agent works in' });
  }
}

function readSettings(path: string): Settings | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const fix = `fix the file by hand (it must be a JSON object, see https://docs.claude.com/en/docs/claude-code/settings) or move it away, then re-run`;
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new CoordError(`${path} is not valid JSON (${errorMessage(error)}); it was left as it is`, { hint: fix });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new CoordError(`${path} is not a JSON object; it was left as it is`, { hint: fix });
  const settings = data as Settings;
  if (settings.hooks !== undefined && (typeof settings.hooks !== 'object' || settings.hooks === null || Array.isArray(settings.hooks))) {
    throw new CoordError(`${path}: "hooks" is not an object; it was left as it is`, { hint: fix });
  }
  if (settings.hooks?.PreToolUse !== undefined && !Array.isArray(settings.hooks.PreToolUse)) {
    throw new CoordError(`${path}: "hooks.PreToolUse" is not a list; it was left as it is`, { hint: fix });
  }
  return settings;
}

/** PreToolUse groups without our command; groups left empty by that are dropped. Returns where ours was. */
function withoutGuard(groups: unknown[]): { groups: unknown[]; at: number } {
  let at = -1;
  const out: unknown[] = [];
  for (const group of groups) {
    const hooks = (group as MatcherGroup)?.hooks;
    if (!Array.isArray(hooks) || !hooks.some((hook) => isGuardCommand((hook as HookCommand)?.command))) {
      out.push(group);
      continue;
    }
    if (at < 0) at = out.length;
    const rest = hooks.filter((hook) => !isGuardCommand((hook as HookCommand)?.command));
    if (rest.length) out.push({ ...(group as MatcherGroup), hooks: rest });
  }
  return { groups: out, at };
}

function writeSettings(path: string, settings: Settings): void {
  mkdirSync(join(path, '..'), { recursive: true });
  const temporary = `${path}.coord-hooks-${process.pid}`;
  writeFileSync(temporary, JSON.stringify(settings, null, 2) + '\n');
  renameSync(temporary, path);
}

export async function installClaudeGuard(cwd: string, options: ClaudeGuardOptions): Promise<ClaudeGuardSummary> {
  const path = await settingsPath(cwd);
  const existing = readSettings(path);
  const settings: Settings = existing ? { ...existing } : {};
  const matcher = options.readScopeNarrow ? `${WRITE_MATCHER}|${READ_MATCHER}` : WRITE_MATCHER;
  const entry = { matcher, hooks: [{ type: 'command', command: options.command, timeout: GUARD_TIMEOUT }] };
  const hooks = { ...(settings.hooks ?? {}) };
  const { groups, at } = withoutGuard((hooks.PreToolUse as unknown[] | undefined) ?? []);
  groups.splice(at < 0 ? groups.length : at, 0, entry);
  hooks.PreToolUse = groups;
  settings.hooks = hooks;
  const summary = { settingsPath: path, matcher, command: options.command, team: options.team };
  if (existing && JSON.stringify(existing) === JSON.stringify(settings)) return { ...summary, action: 'unchanged' };
  writeSettings(path, settings);
  return { ...summary, action: existing ? 'updated' : 'created' };
}

export async function uninstallClaudeGuard(cwd: string): Promise<ClaudeGuardRemoval> {
  const path = await settingsPath(cwd);
  const existing = readSettings(path);
  const groups = existing?.hooks?.PreToolUse as unknown[] | undefined;
  if (!existing || !groups) return { settingsPath: path, action: 'absent' };
  const { groups: rest, at } = withoutGuard(groups);
  if (at < 0) return { settingsPath: path, action: 'absent' };
  const hooks: Record<string, unknown> = { ...existing.hooks, PreToolUse: rest };
  if (rest.length === 0) delete hooks.PreToolUse;
  const settings: Settings = { ...existing, hooks };
  if (Object.keys(hooks).length === 0) delete settings.hooks;
  writeSettings(path, settings);
  return { settingsPath: path, action: 'removed' };
}

export function formatClaudeGuardSummary(summary: ClaudeGuardSummary): string {
  const what = { created: 'created', updated: 'updated', unchanged: 'already up to date' }[summary.action];
  return `Claude Code guard: ${summary.settingsPath} ${what} (PreToolUse ${summary.matcher}${summary.team ? `, team ${summary.team}` : ''})\n`;
}
