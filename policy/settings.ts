/**
 * Tool settings of one clone: NOT policy (nothing here widens or narrows what anyone may push).
 * Found with cosmiconfig under the module name `coord-hooks` in its usual places (package.json key
 * "coord-hooks", .coord-hooksrc, .coord-hooksrc.json/.yaml/.yml/.js/.cjs/.mjs/.ts, .config/coord-hooksrc*,
 * coord-hooks.config.js/.cjs/.mjs/.ts), from the starting directory up to the top of the work tree;
 * the nearest file wins, nothing is merged. Keys and defaults: docs/policy.md, "Tool settings".
 */
import { dirname } from 'path';
import { realpath } from 'fs/promises';
import { cosmiconfig } from 'cosmiconfig';
import { CoordError, errorMessage } from '../core/errors';
import { isInside, repoTop } from './load-worktree';
import { POLICY_DOC, suggestKey } from './problems';
import { TEAM_NAME } from './rules';

export interface ToolSettings {
  /** Remote the tools fetch from and push to. Default "origin". */
  remote: string;
  /** Seconds between polls for `wait-for` and `watch`. Default 5. */
  pollInterval: number;
  /** The team this clone works for, when set. */
  team?: string;
}

export interface LoadedSettings {
  settings: ToolSettings;
  /** The file they came from, or null when none was found (defaults). */
  file: string | null;
}

export const SETTINGS_MODULE = 'coord-hooks';
export const DEFAULT_SETTINGS: Readonly<ToolSettings> = Object.freeze({ remote: 'origin', pollInterval: 5 });
const KEYS = ['remote', 'pollInterval', 'team'] as const;
const HINT = `settings keys: remote (default "origin"), pollInterval (seconds, default 5), team; see ${POLICY_DOC}, "Tool settings".`;

type KeyCheck = (value: unknown) => string | undefined;

const CHECKS: Record<(typeof KEYS)[number], KeyCheck> = {
  remote: (value) => (typeof value === 'string' && /^[^\s/][^\s]*$/.test(value) ? undefined
    : `"remote" must be a remote name such as "origin", found ${show(value)}`),
  pollInterval: (value) => (typeof value === 'number' && Number.isFinite(value) && value > 0 && value <= 3600 ? undefined
    : `"pollInterval" must be a number of seconds between 0 and 3600, e.g. 5, found ${show(value)}`),
  team: (value) => (typeof value === 'string' && TEAM_NAME.test(value) ? undefined
    : `"team" must be a team name (lowercase letters, digits, ".", "_", "-"), found ${show(value)}`),
};

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
}

/** Checks a loaded settings object; a CoordError (exit 2) naming the file lists every problem. */
export function validateSettings(raw: unknown, file: string): ToolSettings {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CoordError(`${file}: coord-hooks settings must be an object of keys, found ${show(raw)}`, { hint: HINT });
  }
  const problems: string[] = [];
  const settings: ToolSettings = { ...DEFAULT_SETTINGS };
  for (const [key, value] of Object.entries(raw)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      const guess = suggestKey(key, KEYS);
      problems.push(`unknown key "${key}"${guess ? `; did you mean "${guess}"?` : ` (known keys: ${KEYS.join(', ')})`}`);
      continue;
    }
    const problem = CHECKS[key as (typeof KEYS)[number]](value);
    if (problem) problems.push(problem);
    else Object.assign(settings, { [key]: value });
  }
  if (problems.length > 0) {
    throw new CoordError(`invalid coord-hooks settings in ${file}:\n${problems.map((p) => `  ${file}: ${p}`).join('\n')}`, { hint: HINT });
  }
  return settings;
}

/**
 * Settings for a clone: the nearest settings file from `cwd` up to the top of the work tree
 * (only `cwd` itself outside a work tree). `root` skips asking git for the top level.
 */
export async function loadSettings(cwd: string, root?: string): Promise<LoadedSettings> {
  const start = await realpath(cwd);
  const top = root ? await realpath(root) : await repoTop(start).then((path) => realpath(path), () => start);
  if (!isInside(top, start)) throw new CoordError(`${cwd} is not inside ${top}`, { hint: 'pass a directory inside the work tree.' });
  const explorer = cosmiconfig(SETTINGS_MODULE, { searchStrategy: 'none' });
  for (let dir = start; ; dir = dirname(dir)) {
    const found = await explorer.search(dir).catch((error: unknown) => {
      throw new CoordError(`cannot read coord-hooks settings: ${errorMessage(error)}`, { hint: HINT, cause: error });
    });
    if (found) return { settings: validateSettings(found.config, found.filepath), file: found.filepath };
    if (dir === top) return { settings: { ...DEFAULT_SETTINGS }, file: null };
  }
}
