/**
 * One Claude Code settings file as JSON: read (refusing anything that is not an object, leaving the file
 * as it is), our hook entries taken out or put in (every other key and hook kept, our entry back at the
 * place it had), written atomically. Ours are recognised by their command (claude-command.ts).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import { ourHookName, type ClaudeHookName } from './claude-command';

export type Settings = Record<string, unknown> & { hooks?: Record<string, unknown> };

interface HookCommand { type?: unknown; command?: unknown; [key: string]: unknown }
interface MatcherGroup { matcher?: unknown; hooks?: unknown; [key: string]: unknown }

/** One matcher group we register under an event. */
export interface OurEntry {
  event: 'PreToolUse' | 'SessionStart' | 'Stop';
  hook: ClaudeHookName;
  matcher?: string;
  command: string;
  timeout: number;
  /** Claude Code ≥ 2.1.295: a failure (cannot start, timeout, exit ≠ 0/2) counts as exit 2. */
  onFailure?: 'block';
}

export const OUR_EVENTS: OurEntry['event'][] = ['PreToolUse', 'SessionStart', 'Stop'];

export function readSettings(path: string): Settings | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const fix = 'fix the file by hand (it must be a JSON object, see https://code.claude.com/docs/en/settings) or move it away, then re-run';
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
  for (const event of OUR_EVENTS) {
    if (settings.hooks?.[event] !== undefined && !Array.isArray(settings.hooks[event])) {
      throw new CoordError(`${path}: "hooks.${event}" is not a list; it was left as it is`, { hint: fix });
    }
  }
  if (settings.permissions !== undefined && (typeof settings.permissions !== 'object' || settings.permissions === null || Array.isArray(settings.permissions))) {
    throw new CoordError(`${path}: "permissions" is not an object; it was left as it is`, { hint: fix });
  }
  return settings;
}

export function writeSettings(path: string, settings: Settings): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.coord-hooks-${process.pid}`;
  writeFileSync(temporary, JSON.stringify(settings, null, 2) + '\n');
  renameSync(temporary, path);
}

/** Groups of one event without our commands that `which` accepts; groups left empty are dropped. Returns where ours was. */
function withoutOurs(groups: unknown[], which: (command: string) => boolean): { groups: unknown[]; at: number } {
  let at = -1;
  const out: unknown[] = [];
  const isOurs = (hook: unknown) => { const command = (hook as HookCommand)?.command; return ourHookName(command) !== null && which(command as string); };
  for (const group of groups) {
    const hooks = (group as MatcherGroup)?.hooks;
    if (!Array.isArray(hooks) || !hooks.some(isOurs)) {
      out.push(group);
      continue;
    }
    if (at < 0) at = out.length;
    const rest = hooks.filter((hook) => !isOurs(hook));
    if (rest.length) out.push({ ...(group as MatcherGroup), hooks: rest });
  }
  return { groups: out, at };
}

function groupOf(entry: OurEntry): MatcherGroup {
  const hook: HookCommand = { type: 'command', command: entry.command, timeout: entry.timeout };
  if (entry.onFailure) hook.onFailure = entry.onFailure;
  return entry.matcher === undefined ? { hooks: [hook] } : { matcher: entry.matcher, hooks: [hook] };
}

/**
 * `settings` with our commands (those `which` accepts) replaced by `entries`: each event's new groups at
 * the place ours had (else last); ours removed from events without entries; empty lists dropped.
 */
export function withOurEntries(settings: Settings, entries: OurEntry[], which: (command: string) => boolean = () => true): Settings {
  const hooks: Record<string, unknown> = { ...(settings.hooks ?? {}) };
  for (const event of OUR_EVENTS) {
    const existing = hooks[event] as unknown[] | undefined;
    const mine = entries.filter((entry) => entry.event === event).map(groupOf);
    if (!existing && mine.length === 0) continue;
    const { groups, at } = withoutOurs(existing ?? [], which);
    groups.splice(at < 0 ? groups.length : at, 0, ...mine);
    if (groups.length) hooks[event] = groups;
    else delete hooks[event];
  }
  const next: Settings = { ...settings, hooks };
  if (Object.keys(hooks).length === 0) delete next.hooks;
  return next;
}

/** Our hooks in a settings file: event → hook names, for the commands `which` accepts. */
export function ourHooksIn(settings: Settings | null, which: (command: string) => boolean = () => true): Map<OurEntry['event'], ClaudeHookName[]> {
  const found = new Map<OurEntry['event'], ClaudeHookName[]>();
  for (const event of OUR_EVENTS) {
    for (const group of (settings?.hooks?.[event] as unknown[] | undefined) ?? []) {
      for (const hook of ((group as MatcherGroup)?.hooks as unknown[] | undefined) ?? []) {
        const command = (hook as HookCommand)?.command;
        const name = ourHookName(command);
        if (name && which(command as string)) found.set(event, [...(found.get(event) ?? []), name]);
      }
    }
  }
  return found;
}
