/**
 * A port of git's wildmatch (wildmatch.c, git 2.39), the matcher behind pathspec wildcards.
 *
 * Both the pattern and the text are *byte strings*: every char code is one byte (0..255) of the
 * UTF-8 encoding (see toByteString). Git matches bytes, not characters, so `?` matches one byte
 * of "é" (two bytes) and `[é]` is a set of two bytes that never matches "é" as a whole.
 *
 * Rules (all checked against git by test/integration/pathspec-differential.test.ts):
 * - Without WM_PATHNAME, `*`, `?` and bracket expressions also match '/', and `**` is just `*`.
 * - With WM_PATHNAME, `*` and `?` stop at '/'; `**` is special only when it is a whole path
 *   component (start of pattern or after '/', and end of pattern or before '/'): `**\/` matches
 *   zero or more directories, a trailing `**` everything. Elsewhere `**` acts like `*`.
 * - `\x` matches x literally; a trailing lone `\` never matches.
 * - `[...]`: `!` or `^` negates; `a-z` ranges (a `-` first or last is literal); `]` first is
 *   literal; `[:alpha:]` etc. are ASCII-only classes; an unknown class or an unterminated
 *   bracket makes the whole match fail.
 * - WM_CASEFOLD folds ASCII letters only. Quirk kept from git: inside brackets only the text is
 *   folded, so with WM_CASEFOLD `[A]` matches neither "a" nor "A" (ranges and [:upper:] are
 *   special-cased and do fold), and an escaped `\A` matches neither either.
 * git's own early exits (ABORT_ALL, ABORT_TO_STARSTAR) do not bound the backtracking: git
 * 2.39 needs minutes for `git ls-files -- '*a*a*a*a*a*a*a*a*a*a*a*a*b'` over an 80-byte path
 * "a/a/.../c". This port memoizes: the matcher is a pure function of (pattern offset, text
 * offset), so once a call has recursed MEMO_AFTER times every state's result is remembered,
 * which bounds the work by pattern length x text length x text length with identical answers.
 */

export const WM_CASEFOLD = 1;
export const WM_PATHNAME = 2;

const MATCH = 0;
const NOMATCH = 1;
const ABORT_ALL = -1;
const ABORT_TO_STARSTAR = -2;

const SLASH = 0x2f;
const STAR = 0x2a;
const QUESTION = 0x3f;
const BACKSLASH = 0x5c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const COLON = 0x3a;

/** Byte at i, or 0 past the end (git works on NUL-terminated strings; paths never contain NUL). */
function at(s: string, i: number): number {
  return i < s.length ? s.charCodeAt(i) : 0;
}

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a;
const isLower = (c: number): boolean => c >= 0x61 && c <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => isUpper(c) || isLower(c);
const isGraph = (c: number): boolean => c >= 0x21 && c <= 0x7e;
const isGlobSpecial = (c: number): boolean => c === STAR || c === QUESTION || c === OPEN || c === BACKSLASH;

/** git's character classes use its own locale-free ctype: ASCII only; [:space:] is \t \n \r and ' '. */
type ClassTest = (c: number, fold: boolean) => boolean;
const CLASSES = new Map<string, ClassTest>([
  ['alnum', (c) => isAlpha(c) || isDigit(c)],
  ['alpha', isAlpha],
  ['blank', (c) => c === 0x20 || c === 0x09],
  ['cntrl', (c) => c < 0x20 || c === 0x7f],
  ['digit', isDigit],
  ['graph', isGraph],
  ['lower', isLower],
  ['print', (c) => c >= 0x20 && c <= 0x7e],
  ['punct', (c) => isGraph(c) && !isAlpha(c) && !isDigit(c)],
  ['space', (c) => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d],
  ['upper', (c, fold) => isUpper(c) || (fold && isLower(c))],
  ['xdigit', (c) => isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)],
]);

const MEMO_AFTER = 200;

/** One wildmatch call: the strings, flags, and the memo of results by entry state. */
interface Run {
  p: string;
  t: string;
  flags: number;
  calls: number;
  /** Result + 3 (so 0 means unknown), indexed by pi * (t.length + 1) + ti. */
  memo: Int8Array | undefined;
}

function dowild(run: Run, pi0: number, ti0: number): number {
  if (run.memo === undefined && ++run.calls > MEMO_AFTER) run.memo = new Int8Array((run.p.length + 1) * (run.t.length + 1));
  if (run.memo === undefined) return dowildUncached(run, pi0, ti0);
  const key = pi0 * (run.t.length + 1) + ti0;
  const known = run.memo[key];
  if (known !== 0) return known - 3;
  const result = dowildUncached(run, pi0, ti0);
  run.memo[key] = result + 3;
  return result;
}

function dowildUncached(run: Run, pi0: number, ti0: number): number {
  const { p, t, flags } = run;
  const fold = (flags & WM_CASEFOLD) !== 0;
  const pathname = (flags & WM_PATHNAME) !== 0;
  let pi = pi0;
  let ti = ti0;
  let pCh: number;
  for (; (pCh = at(p, pi)) !== 0; ti++, pi++) {
    let tCh = at(t, ti);
    if (tCh === 0 && pCh !== STAR) return ABORT_ALL;
    if (fold && isUpper(tCh)) tCh += 32;
    if (fold && isUpper(pCh)) pCh += 32;
    switch (pCh) {
      case BACKSLASH:
        // Literal match of the next pattern byte (not case-folded: git's quirk).
        pCh = at(p, ++pi);
        if (tCh !== pCh) return NOMATCH;
        continue;
      default:
        if (tCh !== pCh) return NOMATCH;
        continue;
      case QUESTION:
        if (pathname && tCh === SLASH) return NOMATCH;
        continue;
      case STAR: {
        let matchSlash: boolean;
        if (at(p, ++pi) === STAR) {
          const prevP = pi - 2;
          while (at(p, ++pi) === STAR) { /* collapse a run of stars */ }
          const next = at(p, pi);
          if (!pathname) matchSlash = true;
          else if ((prevP < 0 || at(p, prevP) === SLASH) &&
                   (next === 0 || next === SLASH || (next === BACKSLASH && at(p, pi + 1) === SLASH))) {
            // "**/" may match no directory at all: try the rest of the pattern right here.
            if (next === SLASH && dowild(run, pi + 1, ti) === MATCH) return MATCH;
            matchSlash = true;
          } else matchSlash = false;
        } else matchSlash = !pathname;
        const next = at(p, pi);
        if (next === 0) {
          // A trailing "**" matches everything, a trailing "*" only if no '/' is left.
          return !matchSlash && t.indexOf('/', ti) >= 0 ? NOMATCH : MATCH;
        } else if (!matchSlash && next === SLASH) {
          // One "*" followed by '/' under WM_PATHNAME eats exactly the rest of this component.
          const slash = t.indexOf('/', ti);
          if (slash < 0) return NOMATCH;
          ti = slash;
          break; // the loop increments consume the '/' in both strings
        }
        for (;;) {
          if (tCh === 0) break;
          if (!isGlobSpecial(next)) {
            // Skip ahead to the next occurrence of the literal that follows the star.
            const want = fold && isUpper(next) ? next + 32 : next;
            while ((tCh = at(t, ti)) !== 0 && (matchSlash || tCh !== SLASH)) {
              if (fold && isUpper(tCh)) tCh += 32;
              if (tCh === want) break;
              ti++;
            }
            if (tCh !== want) return NOMATCH;
          }
          const matched = dowild(run, pi, ti);
          if (matched !== NOMATCH) {
            if (!matchSlash || matched !== ABORT_TO_STARSTAR) return matched;
          } else if (!matchSlash && tCh === SLASH) return ABORT_TO_STARSTAR;
          tCh = at(t, ++ti);
        }
        return ABORT_ALL;
      }
      case OPEN: {
        pCh = at(p, ++pi);
        if (pCh === 0x5e) pCh = 0x21; // '^' is a synonym of '!'
        const negated = pCh === 0x21;
        if (negated) pCh = at(p, ++pi);
        let prevCh = 0;
        let matched = false;
        do {
          if (pCh === 0) return ABORT_ALL;
          if (pCh === BACKSLASH) {
            pCh = at(p, ++pi);
            if (pCh === 0) return ABORT_ALL;
            if (tCh === pCh) matched = true;
          } else if (pCh === 0x2d && prevCh !== 0 && at(p, pi + 1) !== 0 && at(p, pi + 1) !== CLOSE) {
            pCh = at(p, ++pi);
            if (pCh === BACKSLASH) {
              pCh = at(p, ++pi);
              if (pCh === 0) return ABORT_ALL;
            }
            if (tCh <= pCh && tCh >= prevCh) matched = true;
            else if (fold && isLower(tCh) && tCh - 32 <= pCh && tCh - 32 >= prevCh) matched = true;
            pCh = 0; // a range cannot start another range
          } else if (pCh === OPEN && at(p, pi + 1) === COLON) {
            pi += 2;
            const start = pi;
            while ((pCh = at(p, pi)) !== 0 && pCh !== CLOSE) pi++;
            if (pCh === 0) return ABORT_ALL;
            const len = pi - start - 1;
            if (len < 0 || at(p, pi - 1) !== COLON) {
              // No ":]": the '[' is an ordinary member of the set.
              pi = start - 2;
              pCh = OPEN;
              if (tCh === pCh) matched = true;
              continue;
            }
            const test = CLASSES.get(p.slice(start, start + len));
            if (!test) return ABORT_ALL; // unknown class name
            if (test(tCh, fold)) matched = true;
            pCh = 0;
          } else if (tCh === pCh) matched = true;
        } while ((prevCh = pCh, (pCh = at(p, ++pi)) !== CLOSE));
        if (matched === negated || (pathname && tCh === SLASH)) return NOMATCH;
        continue;
      }
    }
  }
  return ti < t.length ? NOMATCH : MATCH;
}

/** Whether byte-string pattern matches byte-string text from byte offset `from` on. */
export function wildmatch(pattern: string, text: string, flags: number, from = 0): boolean {
  return dowild({ p: pattern, t: text, flags, calls: 0, memo: undefined }, 0, from) === MATCH;
}
