/**
 * Git pathspecs matched in-process with the meaning `git ls-files -- PATTERN` gives them at the
 * top of the work tree (git 2.39; git is the oracle in test/integration/pathspec-differential.test.ts).
 * Rules, from git's pathspec.c (parsing) and dir.c (match_pathspec_item):
 *
 * Parsing
 * - "" is an error. A leading ':' starts magic: `:(word,word...)rest` (long form; words are
 *   top, literal, glob, icase, exclude; empty words are skipped) or short form: any run of the
 *   mnemonics '/' (top), '!' and '^' (exclude), optionally ended by ':'. The first character that
 *   is not pathspec punctuation ends the short form (`:x:y` is the pattern "x:y"); other
 *   punctuation (`:-x`, `:#x`...) is an error, as are unknown long words and literal+glob.
 *   `:(attr:...)`, `:(attr)` and `:(prefix:N)` are accepted by git but unsupported here.
 * - Without top magic the pattern is normalized textually like a relative path: "//" squashed,
 *   "." components dropped, ".." removes the previous component ("x/../*" is "*", "." and "fw/.."
 *   select everything); climbing above the root is an error. With `:/` or `:(top)` it is used raw.
 *   Absolute paths (git accepts them when inside the work tree) are unsupported here.
 *
 * Matching one pattern against a path (bytes of the UTF-8 encoding, see toByteString)
 * 1. An empty pattern (":/", ".", ":(top)") matches everything.
 * 2. The pattern taken *literally* (wildcards included) matches the path itself or a leading
 *    directory of it: "fw" selects "fw" and "fw/x" but not "fwx"; "fw/" selects "fw/x" only;
 *    "a*" selects a file literally named "a*" and everything under a directory named "a*".
 * 3. Unless :(literal), if the pattern has a wildcard (* ? [ or \), the bytes before the first
 *    one must equal the path's first bytes, and the rest of the pattern must wildmatch the rest of
 *    the path, as a whole (no leading-directory match for wildcard patterns). Plain patterns use
 *    wildmatch without WM_PATHNAME (`*`, `?`, `[..]` cross '/'); :(glob) uses WM_PATHNAME.
 *    Because the literal prefix is cut off first, `**` right after it counts as a whole
 *    component: ":(glob)foo**\/bar" selects "fooz/bar" and "foo/x/bar".
 * 4. :(icase) folds ASCII letters only, in all three steps (see wildmatch.ts for the bracket quirk).
 *
 * Lists: see matchPathspecs.
 */
import { WM_CASEFOLD, WM_PATHNAME, wildmatch } from './wildmatch';

export interface Pathspec {
  /** The pattern as written. */
  readonly source: string;
  /** True for :(exclude), :! and :^ patterns. */
  readonly exclude: boolean;
  /** Whether the pattern (ignoring its exclude flag) matches this repository-relative path. */
  matches(path: string): boolean;
}

export interface PathspecMagic {
  top: boolean;
  literal: boolean;
  glob: boolean;
  icase: boolean;
  exclude: boolean;
}

export class PathspecSyntaxError extends Error {
  /** The offending pattern, when known. */
  readonly pattern: string | undefined;
  /** True when git rejects the pattern too; false when git accepts it but this module does not support it. */
  readonly gitRejects: boolean;
  constructor(message: string, options: { pattern?: string; gitRejects?: boolean } = {}) {
    super(message);
    this.name = 'PathspecSyntaxError';
    this.pattern = options.pattern;
    this.gitRejects = options.gitRejects ?? true;
  }
}

const SUPPORTED = 'supported magic: :(top), :(literal), :(glob), :(icase), :(exclude), comma-combined, ' +
  "and the short forms ':/' (top), ':!' or ':^' (exclude), e.g. ':!/path' or ':(exclude,glob)src/**'";

/** Characters git's ctype calls pathspec magic: they may (and must) be a known mnemonic after ':'. */
const SHORT_MAGIC_PUNCT = new Set('!"#%&\',-/:;<=>@_`~');

function rejected(text: string, gitSays: string, advice: string): PathspecSyntaxError {
  return new PathspecSyntaxError(`invalid pathspec '${text}': git says "fatal: ${gitSays}"; ${advice}`, { pattern: text });
}

function unsupported(text: string, what: string, advice = SUPPORTED): PathspecSyntaxError {
  return new PathspecSyntaxError(`unsupported pathspec '${text}': ${what}; ${advice}`,
    { pattern: text, gitRejects: false });
}

/** Splits off the magic; returns the magic and the rest of the pattern (parse_element_magic). */
function parseMagic(text: string): { magic: PathspecMagic; rest: string } {
  const magic: PathspecMagic = { top: false, literal: false, glob: false, icase: false, exclude: false };
  if (!text.startsWith(':')) return { magic, rest: text };
  let pos: number;
  if (text[1] === '(') {
    // Long form: words separated by ',' up to ')'; a backslash escapes the next character.
    pos = 2;
    while (pos < text.length && text[pos] !== ')') {
      let end = pos;
      while (end < text.length && text[end] !== ',' && text[end] !== ')') end += text[end] === '\\' && end + 1 < text.length ? 2 : 1;
      const word = text.slice(pos, end);
      pos = text[end] === ',' ? end + 1 : end;
      if (word === '') continue;
      if (word === 'top' || word === 'literal' || word === 'glob' || word === 'icase' || word === 'exclude') magic[word] = true;
      else if (word === 'attr' || word.startsWith('attr:')) throw unsupported(text, "attribute magic ':(attr...)' is not supported (git accepts it; it depends on .gitattributes, not on the path)");
      else if (word.startsWith('prefix:')) throw unsupported(text, "':(prefix:N)' is not supported (git accepts it; it is git-internal)");
      else throw rejected(text, `Invalid pathspec magic '${word}' in '${text}'`, `unknown magic word '${word}'; ${SUPPORTED}`);
    }
    if (text[pos] !== ')') throw rejected(text, `Missing ')' at the end of pathspec magic in '${text}'`, "close the magic words with ')', e.g. ':(exclude,glob)src/**'");
    pos++;
  } else {
    // Short form: mnemonics until ':' or the first character that is not pathspec punctuation.
    for (pos = 1; pos < text.length && text[pos] !== ':'; pos++) {
      const ch = text[pos];
      if (ch === '^' || ch === '!') magic.exclude = true;
      else if (ch === '/') magic.top = true;
      else if (!SHORT_MAGIC_PUNCT.has(ch)) break;
      else {
        throw rejected(text, `Unimplemented pathspec magic '${ch}' in '${text}'`,
          `'${ch}' is not a magic mnemonic (end the magic with ':' to use it in a name, e.g. ':!:${ch}name'); ${SUPPORTED}`);
      }
    }
    if (text[pos] === ':') pos++;
  }
  return { magic, rest: text.slice(pos) };
}

/** git's normalize_path_copy_len for a relative path: null when ".." climbs above the root. */
function normalizeRelative(path: string): string | null {
  const out: string[] = [];
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const last = i === parts.length - 1;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return null;
      out.pop();
      continue;
    }
    out.push(last ? part : `${part}/`);
  }
  // A trailing "/" survives: "fw/", "fw/." and "fw/x/.." all mean the directory fw/.
  return out.join('');
}

/** The UTF-8 bytes of s as a string of char codes 0..255 (git matches bytes). ASCII is returned as is. */
export function toByteString(s: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(s) ? s : Buffer.from(s, 'utf8').toString('latin1');
}

const asciiLower = (s: string): string => (/[A-Z]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s);

/** Length of the leading part of s without glob specials (git's simple_length). */
function simpleLength(s: string): number {
  const m = /[*?[\\]/.exec(s);
  return m ? m.index : s.length;
}

/** A parsed pathspec, compiled once: every field is precomputed for matchBytes. */
export class CompiledPathspec implements Pathspec {
  readonly source: string;
  readonly exclude: boolean;
  readonly magic: Readonly<PathspecMagic>;
  /** The pattern after magic and normalization, as a byte string (git's item->match). */
  readonly match: string;
  /** Bytes before the first wildcard (git's nowildcard_len); the whole length for :(literal) or no wildcard. */
  readonly literalLength: number;
  /** Compare form of match (ASCII-lowercased under icase). */
  private readonly cmp: string;
  private readonly cmpPrefix: string;
  /** Set when the pattern is LITERAL*LITERAL (not glob): git's ONESTAR shortcut, an endsWith. */
  private readonly starSuffix: string | undefined;
  private readonly wildTail: string;
  private readonly flags: number;

  constructor(source: string, magic: PathspecMagic, match: string) {
    this.source = source;
    this.exclude = magic.exclude;
    this.magic = Object.freeze({ ...magic });
    this.match = match;
    this.literalLength = magic.literal ? match.length : simpleLength(match);
    this.cmp = magic.icase ? asciiLower(match) : match;
    this.cmpPrefix = this.cmp.slice(0, this.literalLength);
    const tail = match.slice(this.literalLength);
    this.wildTail = tail;
    this.starSuffix = !magic.glob && tail.startsWith('*') && simpleLength(tail.slice(1)) === tail.length - 1
      ? this.cmp.slice(this.literalLength + 1) : undefined;
    this.flags = (magic.glob ? WM_PATHNAME : 0) | (magic.icase ? WM_CASEFOLD : 0);
  }

  matches(path: string): boolean {
    return this.matchBytes(toByteString(path));
  }

  /** No wildcard and no icase: matching is rule 2 alone (the path is the pattern or lies under it). */
  get plain(): boolean {
    return this.literalLength === this.match.length && !this.magic.icase;
  }

  /** Match against a path already converted with toByteString. */
  matchBytes(name: string): boolean {
    const m = this.cmp;
    const len = m.length;
    if (len === 0) return true; // rule 1
    const n = this.magic.icase ? asciiLower(name) : name;
    // Rule 2: literal equality or leading directory.
    if (len <= n.length && n.startsWith(m)) {
      if (len === n.length || m.charCodeAt(len - 1) === 0x2f || n.charCodeAt(len) === 0x2f) return true;
    }
    if (this.literalLength === len) return false;
    // Rule 3: literal prefix, then the wildcard part on the rest.
    if (!n.startsWith(this.cmpPrefix)) return false;
    if (this.starSuffix !== undefined) {
      return n.length - this.literalLength >= this.starSuffix.length && n.endsWith(this.starSuffix);
    }
    return wildmatch(this.wildTail, name, this.flags, this.literalLength);
  }
}

/** Parses one pathspec as `git ls-files -- TEXT` would at the top of the work tree. */
export function parsePathspec(text: string): CompiledPathspec {
  if (text === '') {
    throw rejected(text, 'empty string is not a valid pathspec. please use . instead if you meant to match all paths',
      "use '.' or ':/' for everything");
  }
  if (text.includes('\0')) {
    throw new PathspecSyntaxError(`invalid pathspec ${JSON.stringify(text)}: it contains a NUL byte, which no git pathspec can hold`, { pattern: text });
  }
  const { magic, rest } = parseMagic(text);
  if (magic.literal && magic.glob) throw rejected(text, `${text}: 'literal' and 'glob' are incompatible`, 'use one of them');
  let match = rest;
  if (!magic.top) {
    if (rest.startsWith('/')) throw unsupported(text, 'absolute paths are not supported (git accepts them inside its work tree)', 'write it relative to the repository root');
    const normalized = normalizeRelative(rest);
    if (normalized === null) {
      throw rejected(text, `${text}: '${rest}' is outside repository`, "'..' may not climb above the repository root");
    }
    match = normalized;
  }
  return new CompiledPathspec(text, magic, toByteString(match));
}

/** Parses a list in git's order: an empty element is reported before any other element is parsed. */
export function parsePathspecs(texts: readonly string[]): CompiledPathspec[] {
  if (texts.includes('')) parsePathspec(''); // throws git's "empty string" error
  return texts.map(parsePathspec);
}

export interface PathspecListMatch {
  matched: boolean;
  /** The first non-exclude spec that matched (absent when the list has only excludes). */
  by?: Pathspec;
  /** The first exclude spec that removed the path. */
  excludedBy?: Pathspec;
}

/**
 * git's rule for a list: a path is selected when it matches at least one non-exclude spec and no
 * exclude spec; a list of only excludes starts from everything (git adds an implicit ".").
 * Deliberate difference: an EMPTY list selects nothing (git with no pathspec lists everything),
 * so an empty scope grants nothing.
 * Known git quirk NOT reproduced: when all positive specs share a literal leading directory P,
 * git ls-files matches exclude specs against the path and the pattern with strlen(P) bytes cut
 * off both, so `a/b/ :!c/d/y` drops "a/b/y" (and a shorter exclude reads past its end). Here
 * every exclude is matched on the whole path, as git documents.
 */
export function matchPathspecs(specs: readonly Pathspec[], path: string): PathspecListMatch {
  let bytes: string | undefined;
  const test = (spec: Pathspec): boolean => {
    if (!(spec instanceof CompiledPathspec)) return spec.matches(path);
    if (bytes === undefined) bytes = toByteString(path);
    return spec.matchBytes(bytes);
  };
  let by: Pathspec | undefined;
  let positives = 0;
  for (const spec of specs) {
    if (spec.exclude) continue;
    positives++;
    if (test(spec)) { by = spec; break; }
  }
  if (specs.length === 0 || (positives > 0 && by === undefined)) return { matched: false };
  for (const spec of specs) {
    if (spec.exclude && test(spec)) return by ? { matched: false, by, excludedBy: spec } : { matched: false, excludedBy: spec };
  }
  return by ? { matched: true, by } : { matched: true };
}

/** Rule 2 for a plain pattern (see CompiledPathspec.plain): equal, or a leading directory of the path. */
function underPlain(prefix: string, name: string): boolean {
  const len = prefix.length;
  if (len === 0) return true;
  if (len > name.length || !name.startsWith(prefix)) return false;
  return len === name.length || prefix.charCodeAt(len - 1) === 0x2f || name.charCodeAt(len) === 0x2f;
}

/**
 * matchPathspecs(specs, path).matched for many paths given as byte strings (toByteString, or git's bytes
 * read as latin1), compiled once: plain patterns are compared as prefixes before any pattern is matched
 * in full, so most paths of a push cost one startsWith.
 */
export function pathspecSelector(specs: readonly Pathspec[]): (bytes: string) => boolean {
  if (specs.length === 0) return () => false;
  if (!specs.every((spec) => spec instanceof CompiledPathspec)) {
    return (bytes) => matchPathspecs(specs, Buffer.from(bytes, 'latin1').toString('utf8')).matched;
  }
  const compiled = specs as readonly CompiledPathspec[];
  const positives = compiled.filter((spec) => !spec.exclude);
  const prefixes = positives.filter((spec) => spec.plain).map((spec) => spec.match);
  const patterns = positives.filter((spec) => !spec.plain);
  const excludes = compiled.filter((spec) => spec.exclude);
  return (bytes) => {
    if (positives.length > 0) {
      let selected = false;
      for (const prefix of prefixes) if (underPlain(prefix, bytes)) { selected = true; break; }
      if (!selected) for (const spec of patterns) if (spec.matchBytes(bytes)) { selected = true; break; }
      if (!selected) return false;
    }
    for (const spec of excludes) if (spec.matchBytes(bytes)) return false;
    return true;
  };
}
