/**
 * The OpenSSH allowed-signers file (ssh-keygen(1) "ALLOWED SIGNERS"), read as OpenSSH 9.2's sshsig.c
 * reads it for `ssh-keygen -Y verify -I <principal>`: lines are tried in order, the first whose
 * principal patterns match, whose key is the signing key, whose `namespaces` allow the namespace and
 * whose `valid-after`/`valid-before` hold now, says yes. A line that does not parse is skipped, as
 * ssh-keygen skips it. `cert-authority` lines never match a plain key; signatures made with a
 * certificate are left to ssh-keygen (trust/sshsig.ts answers `unsupported` for them).
 */
import { readPublicKey, UnsupportedKey, type SshPublicKey } from './sshsig';

export interface SignerEntry {
  /** 1-based line number, for messages. */
  line: number;
  /** Comma-separated patterns (`*`, `?`, `!negation`). */
  principals: string;
  /** null: a key type ssh-keygen reads but this module does not verify (it never equals a signing key here). */
  key: SshPublicKey | null;
  ca: boolean;
  /** Pattern list; null: any namespace. */
  namespaces: string | null;
  /** Seconds since the epoch; 0: not set. */
  validAfter: number;
  validBefore: number;
}

/** OpenSSH's match_pattern: `*` any run, `?` any one character, everything else literal. */
export function matchPattern(text: string, pattern: string): boolean {
  let s = 0;
  let p = 0;
  for (;;) {
    if (p === pattern.length) return s === text.length;
    if (pattern[p] === '*') {
      while (pattern[p] === '*') p++;
      if (p === pattern.length) return true;
      for (; s < text.length; s++) if (matchPattern(text.slice(s), pattern.slice(p))) return true;
      return false;
    }
    if (s === text.length) return false;
    if (pattern[p] !== '?' && pattern[p] !== text[s]) return false;
    s++;
    p++;
  }
}

/** OpenSSH's match_pattern_list: 1 a positive match, -1 a negated one (`!pattern`), 0 none. */
export function matchPatternList(text: string, list: string): 1 | 0 | -1 {
  let positive = false;
  let i = 0;
  while (i < list.length) {
    const negated = list[i] === '!';
    if (negated) i++;
    const comma = list.indexOf(',', i);
    const end = comma < 0 ? list.length : comma;
    const sub = list.slice(i, end);
    if (sub.length >= 1023) return 0; // OpenSSH's buffer: an over-long pattern matches nothing
    i = comma < 0 ? end : end + 1;
    if (matchPattern(text, sub)) {
      if (negated) return -1;
      positive = true;
    }
  }
  return positive ? 1 : 0;
}

/**
 * OpenSSH's parse_absolute_time: YYYYMMDD[HHMM[SS]], UTC with a `Z` or `UTC` suffix, otherwise local
 * time as mktime() reads it with tm_isdst = 0 (standard time). 0 when it does not parse.
 */
export function parseAbsoluteTime(text: string): number {
  let body = text;
  let utc = false;
  if (body.length > 1 && /z$/i.test(body)) { utc = true; body = body.slice(0, -1); }
  else if (body.length > 3 && /utc$/i.test(body)) { utc = true; body = body.slice(0, -3); }
  if (![8, 12, 14].includes(body.length) || !/^\d+$/.test(body)) return 0;
  const field = (at: number, width: number) => Number(body.slice(at, at + width));
  const [year, month, day] = [field(0, 4), field(4, 2), field(6, 2)];
  const [hour, minute, second] = [body.length > 8 ? field(8, 2) : 0, body.length > 8 ? field(10, 2) : 0, body.length > 12 ? field(12, 2) : 0];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 61) return 0;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second);
  if (year < 100) ms = new Date(ms).setUTCFullYear(year); // Date.UTC maps 0..99 to 1900..1999
  if (!utc) {
    // Standard time: the larger of January's and July's offsets (west of UTC is positive here).
    const offset = Math.max(new Date(year, 0, 1).getTimezoneOffset(), new Date(year, 6, 1).getTimezoneOffset());
    ms += offset * 60000;
  }
  const seconds = Math.floor(ms / 1000);
  return seconds > 0 ? seconds : 0;
}

/** opt_dequote: a double-quoted value, `\"` standing for a quote. [value, index after it] or null. */
function dequote(opts: string, at: number): [string, number] | null {
  if (opts[at] !== '"') return null;
  let value = '';
  let i = at + 1;
  while (i < opts.length && opts[i] !== '"') {
    if (opts[i] === '\\' && opts[i + 1] === '"') i++;
    value += opts[i++];
  }
  return i < opts.length ? [value, i + 1] : null;
}

type Options = Pick<SignerEntry, 'ca' | 'namespaces' | 'validAfter' | 'validBefore'>;

/** sshsigopt_parse: null when any option is unknown, repeated or malformed (the line is skipped). */
function parseOptions(opts: string): Options | null {
  const out: Options = { ca: false, namespaces: null, validAfter: 0, validBefore: 0 };
  let i = 0;
  const valued = (name: string) => opts.slice(i, i + name.length).toLowerCase() === name && opts[i + name.length] === '=';
  while (i < opts.length && opts[i] !== ' ' && opts[i] !== '\t') {
    if (opts.slice(i, i + 14).toLowerCase() === 'cert-authority') {
      out.ca = true;
      i += 14;
    } else {
      const name = ['namespaces', 'valid-after', 'valid-before'].find(valued);
      if (name) {
        const value = dequote(opts, i + name.length + 1);
        if (!value) return null;
        i = value[1];
        if (name === 'namespaces') {
          if (out.namespaces !== null) return null;
          out.namespaces = value[0];
        } else {
          const field = name === 'valid-after' ? 'validAfter' : 'validBefore';
          if (out[field] !== 0) return null;
          out[field] = parseAbsoluteTime(value[0]);
          if (out[field] === 0) return null;
        }
      }
    }
    if (i >= opts.length || opts[i] === ' ' || opts[i] === '\t') break;
    if (opts[i] !== ',') return null; // an unknown option
    i++;
    if (i >= opts.length) return null;
  }
  if (out.validAfter !== 0 && out.validBefore !== 0 && out.validBefore <= out.validAfter) return null;
  return out;
}

const WHITESPACE = ' \t\r\n';

/** strdelimw: the first word (a double-quoted part may hold spaces) and the rest, or null. */
function firstWord(text: string): [string, string] | null {
  let at = 0;
  while (at < text.length && !WHITESPACE.includes(text[at]) && text[at] !== '"') at++;
  if (at === text.length) return null;
  let word: string;
  let rest: string;
  if (text[at] === '"') {
    const unquoted = text.slice(0, at) + text.slice(at + 1);
    const close = unquoted.indexOf('"', at);
    if (close < 0) return null;
    word = unquoted.slice(0, close);
    rest = unquoted.slice(close + 1);
  } else {
    word = text.slice(0, at);
    rest = text.slice(at + 1);
  }
  let skip = 0;
  while (skip < rest.length && WHITESPACE.includes(rest[skip])) skip++;
  return [word, rest.slice(skip)];
}

const spanNot = (text: string, chars: string) => { let i = 0; while (i < text.length && !chars.includes(text[i])) i++; return i; };
const skipBlanks = (text: string) => text.replace(/^[ \t]*/, '');

/** sshkey_read: `<type> <base64>` at the start of `text`; undefined when it is not a key. */
function readKey(text: string): SshPublicKey | null | undefined {
  const space = spanNot(text, ' \t');
  if (space === text.length) return undefined;
  const rest = skipBlanks(text.slice(space));
  if (rest === '') return undefined;
  const key = readPublicKey(text.slice(0, space), rest.slice(0, spanNot(rest, ' \t')));
  if (key instanceof UnsupportedKey) return null;
  return key ?? undefined;
}

/** One line (with its newline, as getline returns it); null when ssh-keygen would skip it. */
function parseLine(raw: string, line: number): SignerEntry | null {
  const text = skipBlanks(raw.includes('\0') ? raw.slice(0, raw.indexOf('\0')) : raw);
  if (text === '' || text[0] === '#') return null;
  const split = firstWord(text);
  if (!split) return null;
  const [principals, rest] = split;
  let key = readKey(rest);
  let options: Options | null = { ca: false, namespaces: null, validAfter: 0, validBefore: 0 };
  if (key === undefined) {
    // sshkey_advance_past_options: options run to the first space or tab outside quotes.
    let quoted = false;
    let at = 0;
    for (; at < rest.length && (quoted || (rest[at] !== ' ' && rest[at] !== '\t')); at++) {
      if (rest[at] === '\\' && rest[at + 1] === '"') at++;
      else if (rest[at] === '"') quoted = !quoted;
    }
    if (quoted || at >= rest.length) return null;
    key = readKey(skipBlanks(rest.slice(at + 1)));
    if (key === undefined) return null;
    options = parseOptions(rest.slice(0, at));
  }
  if (!options) return null;
  return { line, principals, key, ...options };
}

let memo: { text: string; entries: SignerEntry[] } | null = null;

/** The file's usable lines, in order (the last file parsed is remembered: one signer set verifies many tags). */
export function parseAllowedSigners(text: string): SignerEntry[] {
  if (memo?.text === text) return memo.entries;
  const pieces = text.split('\n');
  const entries: SignerEntry[] = [];
  pieces.forEach((piece, index) => {
    const last = index === pieces.length - 1;
    if (last && piece === '') return;
    const entry = parseLine(last ? piece : `${piece}\n`, index + 1);
    if (entry) entries.push(entry);
  });
  memo = { text, entries };
  return entries;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');

export type SignerVerdict = { ok: true; line: number } | { ok: false; detail: string };

/**
 * sshsig_check_allowed_keys: may `key` sign for `principal` in `namespace` at `now` (seconds)?
 * When not, the reason of the closest line (the key listed but not for this namespace or time).
 */
export function signerAllowed(entries: SignerEntry[], key: SshPublicKey, principal: string, namespace: string, now: number): SignerVerdict {
  let reason = `no line of the signers file lists this ${key.label} key (${key.fingerprint}) for "${principal}"`;
  for (const entry of entries) {
    if (matchPatternList(principal, entry.principals) !== 1) continue;
    if (entry.ca || !entry.key || !entry.key.blob.equals(key.blob)) continue;
    if (entry.namespaces !== null && matchPatternList(namespace, entry.namespaces) !== 1) {
      reason = `line ${entry.line} of the signers file does not allow this key for namespace "${namespace}"`;
      continue;
    }
    if (entry.validAfter !== 0 && now < entry.validAfter) {
      reason = `line ${entry.line} of the signers file: the key is not yet valid (valid-after ${iso(entry.validAfter)})`;
      continue;
    }
    if (entry.validBefore !== 0 && now > entry.validBefore) {
      reason = `line ${entry.line} of the signers file: the key has expired (valid-before ${iso(entry.validBefore)})`;
      continue;
    }
    return { ok: true, line: entry.line };
  }
  return { ok: false, detail: reason };
}
