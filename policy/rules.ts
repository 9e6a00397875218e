/**
 * The policy rules for one CLAUDE.md front-matter: which keys exist, their types, defaults and
 * checks. Each rule is a small named function that reports through the FrontMatter it reads.
 * Rules across files (duplicate teams, shared members) live in policy/build.ts.
 */
import { isMap } from 'yaml';
import { readAccounts } from './accounts';
import type { Entry, FrontMatter, StringItem } from './frontmatter';
import { wildcardDirectory } from './overlap';
import { CompiledPathspec, parsePathspec, PathspecSyntaxError } from './pathspec';
import type { CoordSettings, Pattern, SourcePos, Team } from './types';

export const FRONT_MATTER_KEYS = ['team', 'scope', 'members', 'accounts', 'coord'] as const;
export const SCOPE_KEYS = ['write', 'read'] as const;
export const COORD_KEYS = ['protected', 'architects', 'signers', 'identity', 'on-round-complete',
  'extra-branches', 'extra-refs', 'delete-branch', 'other-tags', 'architect-accounts', 'agent'] as const;
export const IDENTITY_MODES = ['ref', 'pusher', 'signature'] as const;
export const RESERVED_TEAM_NAMES = ['architect'];
/** Team names become ref names (refs/heads/<team>/…) and tag components (round-N/done/<team>). */
export const TEAM_NAME = /^[a-z0-9][a-z0-9._-]*$/;

export function defaultCoord(): CoordSettings {
  return { protected: ['main'], architects: ['architect'], signers: '.coord/allowed_signers', identity: 'ref',
    onRoundComplete: [], extraBranches: [], extraRefs: [], deleteBranch: 'team', otherTags: 'architect' };
}

/**
 * Why a coord.extra-refs pattern cannot be allowed, or null. Branches and tags have their own rules;
 * replace refs change what every git command shows, so no policy can allow them.
 */
export function extraRefProblem(pattern: string): string | null {
  const magic = /^:(\([^)]*\)|[!^/]*)/.exec(pattern);
  const body = magic ? pattern.slice(magic[0].length) : pattern;
  if (magic && /^:(!|\^|\(exclude)/.test(pattern)) return null;
  if (!body.startsWith('refs/') || body === 'refs/' || /^refs\/\*/.test(body)) return 'must name a namespace under refs/ (a pattern such as "refs/*" would cover branches and tags)';
  if (/^refs\/(heads|tags|replace)(\/|$|\*)/i.test(body)) return `covers ${body.split('/').slice(0, 2).join('/')}/, which has its own rules`;
  if (/[*?[]/.test(body.split('/').slice(0, 2).join('/'))) return 'has a wildcard in its first component, which could cover refs/heads/, refs/tags/ or refs/replace/';
  return null;
}

/** Keys people put at the top level that belong in a block: where to move them. */
const MISPLACED: Record<string, string> = Object.fromEntries([
  ...SCOPE_KEYS.map((key) => [key, `move "${key}" under "scope:", indented by two spaces.`]),
  ...COORD_KEYS.map((key) => [key, `move "${key}" under "coord:" in the root CLAUDE.md front-matter.`]),
]);

/** A team as declared in one file, with the positions the cross-file rules report at. */
export interface TeamDecl {
  team: Team;
  memberPos: SourcePos[];
}

export interface FileDecl {
  team?: TeamDecl;
  coord?: CoordSettings;
}

/** Reads a whole front-matter (already free of YAML errors) as a policy file. */
export function readPolicyFile(fm: FrontMatter, isRoot: boolean): FileDecl {
  const contents = fm.doc?.contents ?? null;
  const start = fm.pos(null);
  if (contents === null || (isMap(contents) && contents.items.length === 0)) {
    fm.warn(start, 'front-matter is empty: this CLAUDE.md is a policy file (architect-only) that declares nothing',
      'add a "scope:" block to declare a team, or delete the two "---" lines if this file is not policy.');
    return {};
  }
  const entries = fm.entries(contents, 'front-matter', FRONT_MATTER_KEYS, start, MISPLACED);
  if (!entries) return {};
  const decl: FileDecl = {};
  const coord = entries.get('coord');
  if (coord && !isRoot) {
    fm.error(coord.keyPos, '"coord" is only allowed in the root CLAUDE.md',
      'move this "coord:" block into the front-matter of the CLAUDE.md at the top of the repository.');
  } else if (coord) {
    decl.coord = readCoord(fm, coord);
  }
  const scope = entries.get('scope');
  if (scope) decl.team = readTeam(fm, entries, scope);
  else noTeamKeysWithoutScope(fm, entries);
  return decl;
}

function noTeamKeysWithoutScope(fm: FrontMatter, entries: Map<string, Entry>): void {
  for (const key of ['team', 'members', 'accounts']) {
    const entry = entries.get(key);
    if (entry) fm.error(entry.keyPos, `"${key}" is set but there is no "scope": a team is declared by its scope`,
      'add "scope:" with a "write:" list of the paths this team may change, or remove this key.');
  }
}

function readTeam(fm: FrontMatter, entries: Map<string, Entry>, scope: Entry): TeamDecl | undefined {
  const named = entries.get('team');
  const name = named ? fm.string(named.value, 'team', named.keyPos, 'fw') : nameFromDirectory(fm, scope);
  if (name) checkTeamName(fm, name, Boolean(named));
  const lists = readScope(fm, scope, name?.text);
  const members = entries.get('members');
  const memberItems = members ? readMembers(fm, members) : name ? [name] : [];
  const accountsEntry = entries.get('accounts');
  const accounts = accountsEntry ? readAccounts(fm, accountsEntry, 'accounts') : undefined;
  if (!name || !lists || !memberItems || (accountsEntry && !accounts)) return undefined;
  const team: Team = { name: name.text, file: fm.file, write: lists.write, read: lists.read,
    members: memberItems.map((item) => item.text), pos: name.pos };
  if (accounts) team.accounts = accounts;
  return { team, memberPos: memberItems.map((item) => item.pos) };
}

/** The default team name: the directory holding the CLAUDE.md (the root one has none). */
function nameFromDirectory(fm: FrontMatter, scope: Entry): StringItem | undefined {
  const parts = fm.file.split('/');
  if (parts.length < 2) {
    fm.error(scope.keyPos, 'the root CLAUDE.md declares a scope but no team name (it has no directory to take it from)',
      'add "team: <name>" to the front-matter of the root CLAUDE.md, or move the scope into a team directory.');
    return undefined;
  }
  return { text: parts[parts.length - 2], pos: scope.keyPos };
}

function checkTeamName(fm: FrontMatter, name: StringItem, explicit: boolean): void {
  const text = name.text;
  const source = explicit ? `team name "${text}"` : `team name "${text}" (taken from the directory name)`;
  const change = explicit ? `change "team:" to` : 'add "team:" with';
  if (RESERVED_TEAM_NAMES.includes(text)) {
    fm.error(name.pos, `${source} is reserved for the architect`, `${change} another name, e.g. "team: ${text}-team".`);
  } else if (!TEAM_NAME.test(text) || text.includes('..') || text.endsWith('.lock') || text.endsWith('.')) {
    const suggestion = text.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[^a-z0-9]+|[.]+$|\.lock$/g, '') || 'team';
    fm.error(name.pos, `${source} is not valid: use lowercase letters, digits, ".", "_" and "-", starting with a letter or digit`,
      `${change} a valid name, e.g. "team: ${suggestion}".`);
  }
}

function readScope(fm: FrontMatter, scope: Entry, team: string | undefined): { write: Pattern[]; read: Pattern[] } | undefined {
  const entries = fm.entries(scope.value, 'scope', SCOPE_KEYS, scope.keyPos);
  if (!entries) return undefined;
  const example = `["${team ?? 'fw'}/"]`;
  const write = entries.get('write');
  if (!write) {
    fm.error(scope.keyPos, 'scope has no "write" list: a team must be allowed to write somewhere',
      `add "write: ${example}" under "scope:" with the paths this team may change.`);
    return undefined;
  }
  const writeItems = fm.strings(write.value, 'scope.write', write.keyPos, example);
  if (writeItems && writeItems.length === 0) {
    fm.error(fm.pos(write.value, write.keyPos), 'scope.write is empty: a team must be allowed to write somewhere',
      `list at least one pattern, e.g. "write: ${example}".`);
  }
  const read = entries.get('read');
  const readItems = read ? fm.strings(read.value, 'scope.read', read.keyPos, '["*"]') : [{ text: '*', pos: scope.keyPos }];
  if (!writeItems || writeItems.length === 0 || !readItems) return undefined;
  const patterns = { write: readPatterns(fm, writeItems, 'scope.write'), read: readPatterns(fm, readItems, 'scope.read') };
  patterns.write.forEach((pattern) => writePatternWarnings(fm, pattern));
  if (patterns.write.length > 0 && patterns.write.every((pattern) => pattern.spec.exclude)) {
    fm.warn(write.keyPos, 'scope.write has only exclude patterns: git reads that as "everything except them"',
      'add the paths the team may write before the exclusions, e.g. ["fw/", ":!fw/vendor/"].');
  }
  return patterns.write.length === writeItems.length && patterns.read.length === readItems.length ? patterns : undefined;
}

/**
 * Write patterns that do not say what they grant: ".." components (git reads "qa/../fw/" as "fw/"),
 * and a wildcard pattern ending in "/", which selects nothing (git matches a wildcard pattern against
 * whole file paths, and no file path ends in "/").
 */
function writePatternWarnings(fm: FrontMatter, pattern: Pattern): void {
  const { text, spec } = pattern;
  if (!text.startsWith(':') && /(^|\/)\.\.(\/|$)/.test(text) && spec instanceof CompiledPathspec) {
    fm.warn(pattern.pos, `scope.write pattern "${text}" climbs with "..": git reads it as "${spec.match}"`,
      `write "${spec.match}", so the policy says which paths it grants.`);
  }
  if (wildcardDirectory(pattern)) {
    const fix = text.startsWith(':') ? 'end it with "**" under :(glob) magic instead of "/", to select everything below the matching directories.'
      : `write ":(glob)${text}**" to select everything below the matching directories.`;
    fm.warn(pattern.pos, `scope.write pattern "${text}" selects nothing: git matches a pattern with a wildcard against whole file paths, and no file path ends in "/"`, fix);
  }
}

/** Each item parsed as a git pathspec; invalid ones are reported with the parser's message. */
export function readPatterns(fm: FrontMatter, items: StringItem[], where: string): Pattern[] {
  const out: Pattern[] = [];
  for (const item of items) {
    try {
      out.push({ text: item.text, pos: item.pos, spec: parsePathspec(item.text) });
    } catch (error) {
      if (!(error instanceof PathspecSyntaxError)) throw error;
      fm.error(item.pos, `${where} pattern "${item.text}" is not a valid git pathspec: ${error.message}`,
        'write a git pathspec such as "fw/", "*", ":(glob)src/**/*.ts" or ":!fw/vendor/" (see docs/policy.md, Patterns).');
    }
  }
  return out;
}

function readMembers(fm: FrontMatter, members: Entry): StringItem[] | undefined {
  const items = fm.strings(members.value, 'members', members.keyPos, '["alice", "ci-fw"]');
  return items?.filter((item) => noWhitespace(fm, item, 'members'));
}

function noWhitespace(fm: FrontMatter, item: StringItem, where: string): boolean {
  if (!/\s/.test(item.text)) return true;
  fm.error(item.pos, `${where} entry "${item.text}" contains whitespace; host user names never do`,
    'write the user name exactly as the host reports it (GL_USER, REMOTE_USER, ...), without spaces.');
  return false;
}

// ---- coord: (root CLAUDE.md only) ----

type CoordRule = (fm: FrontMatter, entry: Entry, coord: CoordSettings) => void;

function readCoord(fm: FrontMatter, entry: Entry): CoordSettings {
  const coord: CoordSettings = { ...defaultCoord(), pos: entry.keyPos };
  const entries = fm.entries(entry.value, 'coord', COORD_KEYS, entry.keyPos);
  for (const [key, value] of entries ?? []) COORD_RULES[key as (typeof COORD_KEYS)[number]](fm, value, coord);
  return coord;
}

function nonEmptyList(fm: FrontMatter, entry: Entry, example: string): StringItem[] | undefined {
  const items = fm.strings(entry.value, `coord.${entry.key}`, entry.keyPos, example);
  if (items && items.length === 0) {
    fm.error(fm.pos(entry.value, entry.keyPos), `coord.${entry.key} is empty`, `list at least one entry, e.g. "${entry.key}: ${example}", or delete the key to get the default.`);
    return undefined;
  }
  return items;
}

function oneOf<T extends string>(fm: FrontMatter, entry: Entry, allowed: readonly T[]): T | undefined {
  const item = fm.string(entry.value, `coord.${entry.key}`, entry.keyPos, allowed[0]);
  if (!item) return undefined;
  if ((allowed as readonly string[]).includes(item.text)) return item.text as T;
  fm.error(item.pos, `coord.${entry.key} "${item.text}" is not one of: ${allowed.join(', ')}`,
    `set "${entry.key}:" to one of ${allowed.map((value) => `"${value}"`).join(', ')}.`);
  return undefined;
}

/** git check-ref-format rules for the part after refs/heads/. */
export function isValidBranchName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x20\x7f~^:?*[\\]|\.\.|@\{|\/\/|^[-/]|[/.]$|\.lock(\/|$)|(^|\/)\./.test(name)) return false;
  return name !== '@';
}

const COORD_RULES: Record<(typeof COORD_KEYS)[number], CoordRule> = {
  protected(fm, entry, coord) {
    const items = nonEmptyList(fm, entry, '["main"]');
    const bad = items?.filter((item) => !isValidBranchName(item.text)) ?? [];
    for (const item of bad) {
      fm.error(item.pos, `coord.protected entry "${item.text}" is not a valid branch name`,
        'write the branch name without "refs/heads/" and without spaces or * ? [ ~ ^ :, e.g. "main".');
    }
    if (items && bad.length === 0) coord.protected = items.map((item) => item.text);
  },
  architects(fm, entry, coord) {
    const items = nonEmptyList(fm, entry, '["architect"]');
    if (items && items.every((item) => noWhitespace(fm, item, 'coord.architects'))) coord.architects = items.map((item) => item.text);
  },
  signers(fm, entry, coord) {
    const item = fm.string(entry.value, 'coord.signers', entry.keyPos, '.coord/allowed_signers');
    if (!item) return;
    if (/^\/|\\|(^|\/)\.\.?(\/|$)|\/$/.test(item.text)) {
      fm.error(item.pos, `coord.signers "${item.text}" is not a repository-relative file path`,
        'write a path inside the repository with forward slashes and no "..", e.g. ".coord/allowed_signers".');
    } else coord.signers = item.text;
  },
  identity(fm, entry, coord) {
    coord.identity = oneOf(fm, entry, IDENTITY_MODES) ?? coord.identity;
  },
  'on-round-complete'(fm, entry, coord) {
    coord.onRoundComplete = fm.strings(entry.value, 'coord.on-round-complete', entry.keyPos, '["make notify"]')?.map((item) => item.text) ?? [];
  },
  'extra-branches'(fm, entry, coord) {
    const items = fm.strings(entry.value, 'coord.extra-branches', entry.keyPos, '["release/*"]') ?? [];
    coord.extraBranches = readPatterns(fm, items, 'coord.extra-branches').map((pattern) => pattern.text);
  },
  'extra-refs'(fm, entry, coord) {
    const items = fm.strings(entry.value, 'coord.extra-refs', entry.keyPos, '["refs/notes/"]') ?? [];
    const good = items.filter((item) => {
      const problem = extraRefProblem(item.text);
      if (problem) fm.error(item.pos, `coord.extra-refs entry "${item.text}" ${problem}`, 'name a namespace outside refs/heads/, refs/tags/ and refs/replace/, e.g. "refs/notes/".');
      return !problem;
    });
    const patterns = readPatterns(fm, good, 'coord.extra-refs');
    if (patterns.length > 0 && patterns.every((pattern) => pattern.spec.exclude)) {
      // git's rule: a list of only excludes starts from everything, i.e. every namespace under refs/.
      fm.error(entry.keyPos, 'coord.extra-refs has only exclude patterns, which would allow every namespace under refs/ but the excluded ones',
        'name the namespaces to allow, e.g. ["refs/notes/"]; excludes may only narrow them.');
      return;
    }
    coord.extraRefs = patterns.map((pattern) => pattern.text);
  },
  'delete-branch'(fm, entry, coord) {
    coord.deleteBranch = oneOf(fm, entry, ['team', 'architect'] as const) ?? coord.deleteBranch;
  },
  'other-tags'(fm, entry, coord) {
    coord.otherTags = oneOf(fm, entry, ['architect', 'anyone'] as const) ?? coord.otherTags;
  },
  'architect-accounts'(fm, entry, coord) {
    const accounts = readAccounts(fm, entry, 'coord.architect-accounts');
    if (accounts) coord.architectAccounts = accounts;
  },
  agent(fm, entry, coord) {
    const item = fm.string(entry.value, 'coord.agent', entry.keyPos, 'claude -p "$(cat "$ANNOUNCEMENT")"');
    if (item) coord.agent = item.text;
  },
};
