/**
 * Tree objects judged the way `git fsck` judges them (git 2.39's fsck.c, path.c, utf8.c), before any
 * path in them is judged by scope: a tree git itself would refuse must not reach the protected
 * repository, whoever pushes it. Names are compared as bytes, as git does; nothing here trusts that a
 * name is UTF-8. On top of fsck: a symbolic link whose target holds a NUL byte.
 */
import { createHash } from 'crypto';
import type { GitRepo } from '../git/repo';

/** fsck's message ids for trees, plus coord-hooks' own checks of what trees point at. */
export type TreeCheck =
  | 'badTree' | 'nullSha1' | 'fullPathname' | 'emptyName' | 'hasDot' | 'hasDotdot' | 'hasDotgit'
  | 'zeroPaddedFilemode' | 'badFilemode' | 'duplicateEntries' | 'treeNotSorted'
  | 'gitmodulesSymlink' | 'gitattributesSymlink' | 'gitignoreSymlink' | 'mailmapSymlink'
  | 'symlinkTargetNul' | 'symlinkNotBlob' | 'missingTree';

export interface TreeProblem {
  /** The tree object's id. */
  tree: string;
  /** Where the tree sits in a pushed commit ('' the top; undefined when unknown). */
  path?: string;
  /** The offending entry's name, quoted for display. */
  entry?: string;
  check: TreeCheck;
  /** One line: what is wrong, that git refuses it, and what to do. */
  message: string;
}

export interface RawTreeEntry {
  /** The mode exactly as written in the tree (may be zero-padded or odd). */
  mode: string;
  /** The mode's numeric value (NaN when it is not octal). */
  modeBits: number;
  name: Buffer;
  oid: string;
}

const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
const CANONICAL_MODES = new Set(['40000', '100644', '100755', '120000', '160000']);

const isDir = (entry: RawTreeEntry) => (entry.modeBits & S_IFMT) === S_IFDIR;
const isLink = (entry: RawTreeEntry) => (entry.modeBits & S_IFMT) === S_IFLNK;

/** Parses a tree's raw bytes: `<octal mode> <name>\0<oid bytes>` repeated. Stops at the first broken entry. */
export function parseTreeObject(raw: Buffer, oidBytes = 20): { entries: RawTreeEntry[]; error?: string } {
  const entries: RawTreeEntry[] = [];
  let offset = 0;
  while (offset < raw.length) {
    const space = raw.indexOf(0x20, offset);
    if (space < 0) return { entries, error: `entry ${entries.length + 1} has no mode` };
    const mode = raw.subarray(offset, space).toString('latin1');
    if (!CANONICAL_MODES.has(mode) && !/^[0-7]+$/.test(mode)) return { entries, error: `entry ${entries.length + 1} has a malformed mode ${JSON.stringify(mode)}` };
    const nul = raw.indexOf(0, space + 1);
    if (nul < 0) return { entries, error: `entry ${entries.length + 1} has no end to its name` };
    if (nul + 1 + oidBytes > raw.length) return { entries, error: `entry ${entries.length + 1} is cut short (too-short tree object)` };
    entries.push({
      mode,
      modeBits: parseInt(mode, 8),
      name: raw.subarray(space + 1, nul),
      oid: raw.subarray(nul + 1, nul + 1 + oidBytes).toString('hex'),
    });
    offset = nul + 1 + oidBytes;
  }
  return { entries };
}

// ---- names git refuses (facts from git's path.c and utf8.c; written anew) ----------------------------

/** HFS+ ignores these code points when comparing names. */
function hfsIgnorable(code: number): boolean {
  return (code >= 0x200c && code <= 0x200f) || (code >= 0x202a && code <= 0x202e) || (code >= 0x206a && code <= 0x206f) || code === 0xfeff;
}

/**
 * Reads one UTF-8 character at `at`: its code point and length, or null when the bytes there are not
 * well-formed UTF-8 (overlong, surrogate, U+FFFE/U+FFFF, beyond U+10FFFF, cut short).
 */
function utf8At(name: Buffer, at: number): { code: number; length: number } | null {
  const b0 = name[at];
  const cont = (k: number) => at + k < name.length && (name[at + k] & 0xc0) === 0x80;
  if (b0 < 0x80) return { code: b0, length: 1 };
  if ((b0 & 0xe0) === 0xc0) {
    if (!cont(1) || (b0 & 0xfe) === 0xc0) return null;
    return { code: ((b0 & 0x1f) << 6) | (name[at + 1] & 0x3f), length: 2 };
  }
  if ((b0 & 0xf0) === 0xe0) {
    if (!cont(1) || !cont(2)) return null;
    const code = ((b0 & 0x0f) << 12) | ((name[at + 1] & 0x3f) << 6) | (name[at + 2] & 0x3f);
    if (code < 0x800 || (code >= 0xd800 && code <= 0xdfff) || code === 0xfffe || code === 0xffff) return null;
    return { code, length: 3 };
  }
  if ((b0 & 0xf8) === 0xf0) {
    if (!cont(1) || !cont(2) || !cont(3)) return null;
    const code = ((b0 & 0x07) << 18) | ((name[at + 1] & 0x3f) << 12) | ((name[at + 2] & 0x3f) << 6) | (name[at + 3] & 0x3f);
    if (code < 0x10000 || code > 0x10ffff) return null;
    return { code, length: 4 };
  }
  return null;
}

/** Code points of a name, or null when it is not well-formed UTF-8. */
function codePoints(name: Buffer): number[] | null {
  const out: number[] = [];
  for (let at = 0; at < name.length;) {
    const char = utf8At(name, at);
    if (!char) return null;
    out.push(char.code);
    at += char.length;
  }
  return out;
}

/**
 * `.` + word, case-insensitively, with HFS+-ignorable code points anywhere, then the end or '/': what
 * HFS+ opens as `.<word>`. As in git, bytes that are not UTF-8 read as the end of the name.
 */
function isHfsDot(name: Buffer, word: string): boolean {
  if (name.length === 0 || (name[0] !== 0x2e && name[0] < 0x80)) return false;
  let at = 0;
  const next = (): number => {
    for (;;) {
      if (at >= name.length) return 0;
      const char = utf8At(name, at);
      if (!char) {
        at = name.length;
        return 0;
      }
      at += char.length;
      if (!hfsIgnorable(char.code)) return char.code;
    }
  };
  if (next() !== 0x2e) return false;
  for (const letter of word) {
    const code = next();
    if (code === 0 || code > 127 || String.fromCharCode(code).toLowerCase() !== letter) return false;
  }
  const after = next();
  return after === 0 || after === 0x2f;
}

/** True when every character from `from` up to the end or a ':' (an NTFS stream) is a space or a dot. */
function onlySpacesAndDotsFrom(name: string, from: number, stopAtSeparator: boolean): boolean {
  for (let i = from; i < name.length; i++) {
    const c = name[i];
    if (c === ':' || (stopAtSeparator && (c === '/' || c === '\\'))) return true;
    if (c !== ' ' && c !== '.') return false;
  }
  return true;
}

/** `.git` as NTFS sees it: `.git` or `git~1` in any case, then dots and spaces, then the end, a separator or `:`. */
function isNtfsDotGit(name: string): boolean {
  if (name[0] !== '.' && name[0] !== 'g' && name[0] !== 'G') return false;
  const lower = name.toLowerCase();
  if (lower.startsWith('.git')) return onlySpacesAndDotsFrom(name, 4, true);
  if (name.length >= 5 && lower.startsWith('git') && name.slice(3, 5) === '~1') return onlySpacesAndDotsFrom(name, 5, true);
  return false;
}

/** `.<word>` as NTFS sees it, including its 8.3 short names (`gitmod~1`, and the hashed `gi7eba~1` form). */
function isNtfsDot(name: string, word: string, shortPrefix: string): boolean {
  if (name[0] === '.' && name.slice(1, 1 + word.length).toLowerCase() === word) return onlySpacesAndDotsFrom(name, word.length + 1, false);
  if (name.slice(0, 6).toLowerCase() === word.slice(0, 6) && name[6] === '~' && name[7] >= '1' && name[7] <= '4') {
    return onlySpacesAndDotsFrom(name, 8, false);
  }
  // The fall-back short name: up to six characters of the hashed prefix, `~`, a digit 1-9, digits: eight in all.
  let sawTilde = false;
  let i = 0;
  for (; i < 8; i++) {
    const c = name[i];
    if (c === undefined) return false;
    if (sawTilde) {
      if (c < '0' || c > '9') return false;
    } else if (c === '~') {
      i += 1;
      if (name[i] === undefined || name[i] < '1' || name[i] > '9') return false;
      sawTilde = true;
    } else if (i >= 6 || c.charCodeAt(0) >= 0x80 || c.toLowerCase() !== shortPrefix[i]) {
      return false;
    }
  }
  return onlySpacesAndDotsFrom(name, i, false);
}

const SPECIAL_FILES = {
  gitmodules: { word: 'gitmodules', short: 'gi7eba', check: 'gitmodulesSymlink' },
  gitattributes: { word: 'gitattributes', short: 'gi7d29', check: 'gitattributesSymlink' },
  gitignore: { word: 'gitignore', short: 'gi250a', check: 'gitignoreSymlink' },
  mailmap: { word: 'mailmap', short: 'maba30', check: 'mailmapSymlink' },
} as const;

function isSpecial(name: Buffer, latin: string, file: keyof typeof SPECIAL_FILES): boolean {
  const { word, short } = SPECIAL_FILES[file];
  return isHfsDot(name, word) || isNtfsDot(latin, word, short);
}

/** The parts of a name after each backslash: NTFS reads a backslash as a separator. */
function afterBackslashes(latin: string): string[] {
  const parts: string[] = [];
  for (let at = latin.indexOf('\\'); at >= 0; at = latin.indexOf('\\', at + 1)) parts.push(latin.slice(at + 1));
  return parts;
}

/** A name for messages: UTF-8 when it is, control and invisible characters escaped, other bytes as \xNN. */
export function quoteName(name: Buffer): string {
  const codes = codePoints(name);
  const shown = codes
    ? codes.map((code) => (code < 0x20 || code === 0x7f || hfsIgnorable(code) || code === 0x27 || code === 0x5c
      ? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`)
      : String.fromCodePoint(code))).join('')
    : [...name].map((byte) => (byte < 0x20 || byte >= 0x7f || byte === 0x27 || byte === 0x5c ? `\\x${byte.toString(16).padStart(2, '0')}` : String.fromCharCode(byte))).join('');
  return `'${shown}'`;
}

// ---- one tree ---------------------------------------------------------------------------------------

const FIX_NAME = 'rewrite the commit(s) without it (rename or remove the entry with ordinary git commands)';
const FIX_WRITE = 'the tree was not written by git: recreate the commit(s) with ordinary git commands (git add, git commit)';

function message(tree: string, where: string, what: string, check: TreeCheck, fix: string): string {
  return `the tree ${tree}${where} ${what}: git refuses such trees (fsck: ${check}); ${fix}`;
}

function whereText(path: string | undefined): string {
  if (path === undefined) return '';
  return path === '' ? ' (the top of a commit)' : ` (at ${quoteName(Buffer.from(path, 'utf8'))})`;
}

/**
 * Everything `git fsck` (and a server with receive.fsckObjects) finds wrong in one tree object, one
 * problem per offending entry and kind. `oid` defaults to the object's id computed from its bytes.
 */
export function checkTreeObject(raw: Buffer, oidBytes = 20, oid?: string, path?: string): TreeProblem[] {
  const tree = oid ?? createHash(oidBytes === 32 ? 'sha256' : 'sha1').update(`tree ${raw.length}\0`).update(raw).digest('hex');

  return checkEntries(parseTreeObject(raw, oidBytes), oidBytes, tree, path);
}

function checkEntries({ entries, error }: { entries: RawTreeEntry[]; error?: string }, oidBytes: number, tree: string, path?: string): TreeProblem[] {
  const where = whereText(path);
  const problems: TreeProblem[] = [];
  const seen = new Set<string>();
  const add = (check: TreeCheck, entry: Buffer | undefined, what: string, fix: string) => {
    const shown = entry === undefined ? undefined : quoteName(entry);
    const key = `${check}\0${shown ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    problems.push({ tree, path, entry: shown, check, message: message(tree, where, what, check, fix) });
  };
  const nullOid = '0'.repeat(oidBytes * 2);
  const names = new Set<string>();
  let previous: RawTreeEntry | undefined;
  for (const entry of entries) {
    const latin = entry.name.toString('latin1');
    const named = () => `has an entry named ${quoteName(entry.name)}`;
    if (entry.name.length === 0) add('emptyName', entry.name, 'has an entry with an empty name', FIX_WRITE);
    if (latin.includes('/')) add('fullPathname', entry.name, `${named()}, which contains '/'`, FIX_WRITE);
    if (latin === '.') add('hasDot', entry.name, named(), FIX_WRITE);
    if (latin === '..') add('hasDotdot', entry.name, named(), FIX_NAME);
    if (isHfsDot(entry.name, 'git') || isNtfsDotGit(latin) || afterBackslashes(latin).some(isNtfsDotGit)) {
      add('hasDotgit', entry.name, `${named()}, which file systems (case-insensitive, NTFS or HFS+) open as '.git'`, FIX_NAME);
    }
    if (entry.oid === nullOid) add('nullSha1', entry.name, `${named()} pointing at the null object id`, FIX_WRITE);
    if (entry.mode.startsWith('0')) {
      add('zeroPaddedFilemode', entry.name, `${named()} whose mode ${entry.mode} is zero-padded`, FIX_WRITE);
    } else if (!CANONICAL_MODES.has(entry.mode)) {
      add('badFilemode', entry.name, `${named()} with the mode ${entry.mode} (git writes only 40000, 100644, 100755, 120000, 160000)`, FIX_WRITE);
    }
    if (isLink(entry)) {
      const gitmodules = isSpecial(entry.name, latin, 'gitmodules') || afterBackslashes(latin).some((part) => isNtfsDot(part, 'gitmodules', 'gi7eba'));
      for (const file of Object.keys(SPECIAL_FILES) as (keyof typeof SPECIAL_FILES)[]) {
        const hit = file === 'gitmodules' ? gitmodules : isSpecial(entry.name, latin, file);
        if (hit) add(SPECIAL_FILES[file].check, entry.name, `${named()}, a symbolic link standing for .${file}`, 'commit it as a regular file instead of a symbolic link');
      }
    }
    if (names.has(latin)) add('duplicateEntries', entry.name, `has two entries named ${quoteName(entry.name)}`, FIX_WRITE);
    else if (previous && gitOrder(previous, entry) > 0) {
      add('treeNotSorted', entry.name, `lists ${quoteName(previous.name)} before ${quoteName(entry.name)}, out of git's order`, FIX_WRITE);
    }
    names.add(latin);
    previous = entry;
  }
  if (error) add('badTree', undefined, `cannot be parsed as a tree (${error})`, FIX_WRITE);
  return problems;
}

/** git's tree order: bytes, with a directory's name compared as if followed by '/' (0 only for equal names). */
function gitOrder(a: RawTreeEntry, b: RawTreeEntry): number {
  const common = Math.min(a.name.length, b.name.length);
  const prefix = a.name.compare(b.name, 0, common, 0, common);
  if (prefix !== 0) return prefix;
  if (a.name.length === b.name.length) return 0;
  const next = (entry: RawTreeEntry) => (entry.name.length > common ? entry.name[common] : isDir(entry) ? 0x2f : 0);
  return next(a) - next(b);
}

// ---- the trees a push brings ------------------------------------------------------------------------

interface ReadTree {
  oid: string;
  /** The raw object, kept only when it has problems (to word them once its path is known). */
  flawed?: Buffer;
  missing?: string;
  subtrees: { name: string; oid: string }[];
  links: { name: Buffer; oid: string }[];
}

/**
 * Every tree reachable from `tips` and from no existing ref, checked like fsck, and the target of each
 * symbolic link in them checked for NUL. One rev-list, then every read through the shared cat-file
 * process, issued together. Problems come in rev-list's order, with the path where each tree sits
 * (as far as the new trees show it).
 */
export async function findMalformedTrees(repo: GitRepo, tips: string[]): Promise<TreeProblem[]> {
  const oids = await repo.newTrees(tips);
  if (oids.length === 0) return [];
  const batch = repo.objects();
  const trees: ReadTree[] = await Promise.all(oids.map(async (oid): Promise<ReadTree> => {
    const object = await batch.read(oid);
    if (!object || object.type !== 'tree') return { oid, missing: object ? `it is a ${object.type}` : 'missing', subtrees: [], links: [] };
    const oidBytes = oid.length / 2;
    const parsed = parseTreeObject(object.content, oidBytes);
    const { entries } = parsed;
    return {
      oid,
      flawed: checkEntries(parsed, oidBytes, oid).length > 0 ? object.content : undefined,
      subtrees: entries.filter(isDir).map((entry) => ({ name: entry.name.toString('utf8'), oid: entry.oid })),
      links: entries.filter(isLink).map((entry) => ({ name: entry.name, oid: entry.oid })),
    };
  }));
  // Link targets: every read issued before any answer is awaited.
  const targets = await Promise.all(trees.map((tree) => Promise.all(tree.links.map((link) => batch.read(link.oid)))));

  const paths = treePaths(trees);
  const out: TreeProblem[] = [];
  for (const [index, tree] of trees.entries()) {
    const path = paths.get(tree.oid);
    const where = whereText(path);
    if (tree.missing) {
      out.push({ tree: tree.oid, path, check: 'missingTree', message: `the tree ${tree.oid}${where} cannot be read (${tree.missing}); push again, or ask an administrator to run git fsck on the server` });
    }
    if (tree.flawed) out.push(...checkTreeObject(tree.flawed, tree.oid.length / 2, tree.oid, path));
    for (const [k, link] of tree.links.entries()) {
      const object = targets[index][k];
      const entry = quoteName(link.name);
      const named = `the tree ${tree.oid}${where} has a symbolic link ${entry}`;
      if (!object || object.type !== 'blob') {
        out.push({ tree: tree.oid, path, entry, check: 'symlinkNotBlob', message: `${named} whose target ${link.oid} is ${object ? `a ${object.type}` : 'missing'}, not a blob; recreate the link with ordinary git commands` });
      } else if (object.content.includes(0)) {
        out.push({ tree: tree.oid, path, entry, check: 'symlinkTargetNul', message: `${named} whose target contains a NUL byte: no file system can hold such a link, and it hides where the link points; rewrite the commit with a real link (ln -s) or without it` });
      }
    }
  }
  return out;
}

/** Where each new tree sits, from the new trees that list it: a tree no new tree lists is a top (''). */
function treePaths(trees: ReadTree[]): Map<string, string> {
  const parent = new Map<string, { oid: string; name: string }>();
  for (const tree of trees) {
    for (const sub of tree.subtrees) if (!parent.has(sub.oid)) parent.set(sub.oid, { oid: tree.oid, name: sub.name });
  }
  const known = new Set(trees.map((tree) => tree.oid));
  const paths = new Map<string, string>();
  for (const tree of trees) {
    const parts: string[] = [];
    let at = tree.oid;
    for (let hops = 0; parent.has(at) && known.has(parent.get(at)!.oid) && hops < 4096; hops++) {
      parts.unshift(parent.get(at)!.name);
      at = parent.get(at)!.oid;
    }
    paths.set(tree.oid, parts.join('/'));
  }
  return paths;
}
