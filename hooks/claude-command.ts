/**
 * The commands registered in Claude Code's settings: tiny POSIX sh wrappers, inline in the JSON, around
 * `coord-hooks hook claude-…`. In Claude Code only exit code 2 (or a JSON deny) blocks a tool call; a
 * hook that cannot start, exits 1 or is killed lets the call through. So the guard's wrapper maps EVERY
 * outcome other than 0 and 2 (node missing, the CLI missing, a crash, a signal) to exit 2 with a line on
 * stderr saying what is broken and how to fix it. The session hooks must never break a session: their
 * wrappers end in exit 0 whatever happens (SessionStart prints a short context saying what failed).
 *
 * Two flavours: `local` (settings.local.json: absolute paths of node and dist/cli/main.js, recorded at
 * install, like the git hook scripts) and `shared` (a committed settings.json: no machine paths; finds
 * coord-hooks as `$CLAUDE_PROJECT_DIR/node_modules/.bin/coord-hooks`, else on PATH).
 * The wrappers are written for sh and run unchanged under bash and zsh (what Claude Code runs them with).
 */
import { join } from 'path';
import { packageInfo } from '../core/package-info';
import { shQuote, warmCommand, type WarmHookPaths } from './template';

export type ClaudeHookName = 'claude-guard' | 'claude-session-start' | 'claude-stop';
export type CommandFlavour = 'local' | 'shared';

/** Where the CLI is: the absolute paths a local wrapper records (defaults: this node, this package). */
export interface CliLocation {
  node: string;
  cli: string;
  /** The clone's warm client and socket (local flavour, the guard only): asked first, cold when it cannot answer. */
  warm?: WarmHookPaths;
}

export function thisCli(): CliLocation {
  return { node: process.execPath, cli: join(packageInfo().root, 'dist', 'cli', 'main.js') };
}

const FIX: Record<CommandFlavour, string> = {
  local: 'fix: run `coord-hooks install --claude` again in this clone (node or coord-hooks moved since install)',
  shared: 'fix: `npm install` in the project (node_modules/.bin/coord-hooks), or put coord-hooks on PATH; then restart the session',
};

/** printf of literal text (single-quoted: no expansion, backticks stay text) with `$var` parts spliced in. */
function say(parts: (string | { variable: string })[], toStderr: boolean): string {
  const text = parts.map((part) => (typeof part === 'string' ? shQuote(part) : `"$${part.variable}"`)).join('');
  return `printf '%s\\n' ${text}${toStderr ? ' >&2' : ''}`;
}

/** The lines that find the CLI; `run` is the command line that runs it (with "$@"-free arguments). */
function locate(flavour: CommandFlavour, hook: ClaudeHookName, where: CliLocation, onMissing: (what: (string | { variable: string })[]) => string): { find: string; run: string } {
  if (flavour === 'local') {
    return {
      find: [
        `NODE=${shQuote(where.node)}; CLI=${shQuote(where.cli)}`,
        `if [ ! -x "$NODE" ]; then ${onMissing(['node is missing at ', { variable: 'NODE' }])}; fi`,
        `if [ ! -f "$CLI" ]; then ${onMissing(['the coord-hooks CLI is missing at ', { variable: 'CLI' }])}; fi`,
        ...(where.warm && hook === 'claude-guard' ? [`WARM=${shQuote(where.warm.client)}; WARM_SOCKET=${shQuote(where.warm.socket)}`] : []),
      ].join('; '),
      run: where.warm && hook === 'claude-guard'
        ? `if [ -x "$WARM" ]; then ${warmCommand(hook, true, '')}; else "$NODE" "$CLI" hook ${hook}; fi`
        : `"$NODE" "$CLI" hook ${hook}`,
    };
  }
  return {
    find: [
      'C="${CLAUDE_PROJECT_DIR:-.}/node_modules/.bin/coord-hooks"',
      '[ -x "$C" ] || C=$(command -v coord-hooks) || C=',
      `if [ -z "$C" ]; then ${onMissing(['coord-hooks is neither in ', { variable: 'CLAUDE_PROJECT_DIR' }, '/node_modules/.bin nor on PATH'])}; fi`,
    ].join('; '),
    run: `"$C" hook ${hook}`,
  };
}

/** The command string for one hook, as it goes into the settings file. */
export function claudeHookCommand(hook: ClaudeHookName, flavour: CommandFlavour, where: CliLocation = thisCli()): string {
  const fix = FIX[flavour];
  if (hook === 'claude-guard') {
    const head = 'coord-hooks guard: this tool call is blocked (the guard fails closed): ';
    const { find, run } = locate(flavour, hook, where, (what) => `${say([head, ...what], true)}; ${say([fix], true)}; exit 2`);
    return [
      find,
      `${run}; s=$?`,
      'case $s in 0|2) exit "$s";; esac',
      say([head, 'the guard failed (exit ', { variable: 's' }, '; above 128: killed by a signal)'], true),
      say([fix], true),
      'exit 2',
    ].join('; ');
  }
  if (hook === 'claude-session-start') {
    const head = 'coord-hooks could not tell this session its team, scope and round: ';
    const { find, run } = locate(flavour, hook, where, (what) => `${say([head, ...what, '. ', fix], false)}; exit 0`);
    return [find, `${run} && exit 0`, say([head, 'the session-start hook failed. ', fix], false), 'exit 0'].join('; ');
  }
  const head = 'coord-hooks stop hook: ';
  const { find, run } = locate(flavour, hook, where, (what) => `${say([head, ...what, '; the session may stop. ', fix], true)}; exit 0`);
  return [find, run, 'exit 0'].join('; ');
}

const OURS = /\bhook (claude-guard|claude-session-start|claude-stop)\b/;

/** The warm client and socket a registered guard command records (so a rewrite keeps them), or null. */
export function warmOfCommand(command: string): WarmHookPaths | null {
  const match = /\bWARM='([^']*)'; WARM_SOCKET='([^']*)'/.exec(command);
  return match ? { client: match[1], socket: match[2] } : null;
}

/** Which of our hooks a registered command runs (by name, or through dist/cli/main.js), or null. */
export function ourHookName(command: unknown): ClaudeHookName | null {
  if (typeof command !== 'string' || !/coord-hooks|dist\/cli\/main\.js/i.test(command)) return null;
  const match = OURS.exec(command);
  return match ? (match[1] as ClaudeHookName) : null;
}

/** Ours: runs `hook claude-guard` of coord-hooks (by name, or through its dist/cli/main.js). */
export function isGuardCommand(command: unknown): boolean {
  return ourHookName(command) === 'claude-guard';
}

/** Seconds Claude Code waits for the guard (registered `timeout`). */
export const GUARD_TIMEOUT = 10;
/** The guard's own deadline: 5 s by default; whatever the environment asks, never above this (< GUARD_TIMEOUT). */
export const GUARD_DEFAULT_DEADLINE_MS = 5000;
export const GUARD_MAX_DEADLINE_MS = 6000;
/** SessionStart: registered timeout and the hook's own deadline (it prints what it has by then). */
export const SESSION_START_TIMEOUT = 20;
export const SESSION_START_DEADLINE_MS = 10000;
/** Stop: registered timeout and the hook's own deadline (one ls-remote and one fetch). */
export const STOP_TIMEOUT = 30;
export const STOP_DEADLINE_MS = 20000;
