/**
 * Unit tests for policy/pathspec.ts: parse errors (every message), representative matches, list
 * semantics and speed. Every expected verdict below was checked with `git ls-files -- PATTERN`
 * (git 2.39.5); test/integration/pathspec-differential.test.ts asks git live for thousands more.
 */
import {
  CompiledPathspec, matchPathspecs, parsePathspec, parsePathspecs, PathspecSyntaxError, toByteString, type Pathspec,
} from '../../policy/pathspec';
import { wildmatch, WM_PATHNAME } from '../../policy/wildmatch';

const SUPPORTED = 'supported magic: :(top), :(literal), :(glob), :(icase), :(exclude), comma-combined, ' +
  "and the short forms ':/' (top), ':!' or ':^' (exclude), e.g. ':!/path' or ':(exclude,glob)src/**'";

function parseError(text: string): PathspecSyntaxError {
  try {
    parsePathspec(text);
  } catch (error) {
    if (error instanceof PathspecSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(text)} to be rejected`);
}

describe('parse errors', () => {
  test.each([
    ['', `invalid pathspec '': git says "fatal: empty string is not a valid pathspec. please use . instead if you meant to match all paths"; use '.' or ':/' for everything`],
    [':(Glob)x', `invalid pathspec ':(Glob)x': git says "fatal: Invalid pathspec magic 'Glob' in ':(Glob)x'"; unknown magic word 'Glob'; ${SUPPORTED}`],
    [':( glob)x', `invalid pathspec ':( glob)x': git says "fatal: Invalid pathspec magic ' glob' in ':( glob)x'"; unknown magic word ' glob'; ${SUPPORTED}`],
    [':(prefix)x', `invalid pathspec ':(prefix)x': git says "fatal: Invalid pathspec magic 'prefix' in ':(prefix)x'"; unknown magic word 'prefix'; ${SUPPORTED}`],
    [':(gl\\,ob)x', `invalid pathspec ':(gl\\,ob)x': git says "fatal: Invalid pathspec magic 'gl\\,ob' in ':(gl\\,ob)x'"; unknown magic word 'gl\\,ob'; ${SUPPORTED}`],
    [':(top', `invalid pathspec ':(top': git says "fatal: Missing ')' at the end of pathspec magic in ':(top'"; close the magic words with ')', e.g. ':(exclude,glob)src/**'`],
    [':-fw', `invalid pathspec ':-fw': git says "fatal: Unimplemented pathspec magic '-' in ':-fw'"; '-' is not a magic mnemonic (end the magic with ':' to use it in a name, e.g. ':!:-name'); ${SUPPORTED}`],
    [':!#x', `invalid pathspec ':!#x': git says "fatal: Unimplemented pathspec magic '#' in ':!#x'"; '#' is not a magic mnemonic (end the magic with ':' to use it in a name, e.g. ':!:#name'); ${SUPPORTED}`],
    [':(glob,literal)x', `invalid pathspec ':(glob,literal)x': git says "fatal: :(glob,literal)x: 'literal' and 'glob' are incompatible"; use one of them`],
    ['..', `invalid pathspec '..': git says "fatal: ..: '..' is outside repository"; '..' may not climb above the repository root`],
    ['fw/../..', `invalid pathspec 'fw/../..': git says "fatal: fw/../..: 'fw/../..' is outside repository"; '..' may not climb above the repository root`],
    ['a\0b', 'invalid pathspec "a\\u0000b": it contains a NUL byte, which no git pathspec can hold'],
  ])('git rejects %j and so do we', (text, message) => {
    const error = parseError(text);
    expect(error.message).toBe(message);
    expect(error.gitRejects).toBe(true);
    expect(error.pattern).toBe(text);
  });

  test.each([
    [':(attr:text)fw', `unsupported pathspec ':(attr:text)fw': attribute magic ':(attr...)' is not supported (git accepts it; it depends on .gitattributes, not on the path); ${SUPPORTED}`],
    [':(attr)fw', `unsupported pathspec ':(attr)fw': attribute magic ':(attr...)' is not supported (git accepts it; it depends on .gitattributes, not on the path); ${SUPPORTED}`],
    [':(prefix:0)fw', `unsupported pathspec ':(prefix:0)fw': ':(prefix:N)' is not supported (git accepts it; it is git-internal); ${SUPPORTED}`],
    ['/abs/fw', "unsupported pathspec '/abs/fw': absolute paths are not supported (git accepts them inside its work tree); write it relative to the repository root"],
  ])('git accepts %j but we refuse it rather than guess', (text, message) => {
    const error = parseError(text);
    expect(error.message).toBe(message);
    expect(error.gitRejects).toBe(false);
  });

  test('a list reports an empty element first, as git does', () => {
    expect(() => parsePathspecs([':-x', ''])).toThrow(/empty string is not a valid pathspec/);
    expect(() => parsePathspecs([':-x', 'fw'])).toThrow(/Unimplemented pathspec magic '-'/);
  });

  test('PathspecSyntaxError keeps the one-argument constructor', () => {
    const error = new PathspecSyntaxError('x');
    expect(error).toBeInstanceOf(Error);
    expect(error.gitRejects).toBe(true);
    expect(error.name).toBe('PathspecSyntaxError');
  });
});

describe('parsing', () => {
  test.each([
    ['fw', 'fw', {}],
    [':!fw', 'fw', { exclude: true }],
    [':^fw', 'fw', { exclude: true }],
    [':!/fw', 'fw', { exclude: true, top: true }],
    [':/!:fw', 'fw', { exclude: true, top: true }],
    [':(exclude,glob)src/**', 'src/**', { exclude: true, glob: true }],
    [':(,,icase,,literal,)X', 'X', { icase: true, literal: true }],
    [':x:y', 'x:y', {}],
    ['::fw', 'fw', {}],
    ['./fw//sub/./x/../', 'fw/sub/', {}],
    [':(top)./fw', './fw', { top: true }],
    ['x/../*', '*', {}],
    ['.', '', {}],
    [':/', '', { top: true }],
  ])('%j', (text, match, magic) => {
    const spec = parsePathspec(text);
    expect(spec.source).toBe(text);
    expect(spec.match).toBe(match);
    expect(spec.magic).toEqual({ top: false, literal: false, glob: false, icase: false, exclude: false, ...magic });
    expect(spec.exclude).toBe(spec.magic.exclude);
  });
});

describe('matching one pattern (verdicts from git ls-files)', () => {
  test.each([
    ['fw', 'fw/a.c', true], ['fw', 'fwx', false], ['fw/', 'fw/a.c', true], ['fw/', 'lib/fw', false],
    ['lib/fw', 'lib/fw', true], ['lib/fw/', 'lib/fw', false], ['lib/fw*', 'lib/fw-old', true],
    ['*.c', 'fw/sub/b.c', true], [':(glob)*.c', 'fw/sub/b.c', false], [':(glob)**/*.c', 'fw/sub/b.c', true],
    [':(glob)fw/**', 'fw/sub/b.c', true], [':(glob)fw/*', 'fw/sub/b.c', false],
    ['f?/a.c', 'fw/a.c', true], ['f?', 'fw/a.c', false], ['fw/?.c', 'fw/a.c', true],
    [':(glob)foo**/bar', 'fooz/bar', true], [':(glob)foo**/bar', 'foo/x/bar', true], [':(glob)foo/**bar', 'foo/x/bar', false],
    ['star*name', 'star*name', true], ['star*name', 'starXname', true], [':(literal)star*name', 'starXname', false],
    ['star*', 'star*/q', true], ['q\\?mark', 'q?mark', true], ['q\\?mark', 'qxmark', false],
    ['[[:upper:]]*', 'Makefile', true], ['[[:upper:]]*', 'makefile', false], ['[!a-z]*', 'Makefile', true], ['[^a-z]*', 'makefile', false],
    ['*[[:space:]]*', 'sp ace/a b.txt', true], ['*[[:space:]]*', 'vt\u000bname', false],
    ['??', 'é', true], ['?', 'é', false], ['[é]', 'é', false],
    [':(icase)makefile', 'MAKEFILE', true], [':(icase)src/é.txt', 'src/É.txt', false],
    [':(icase)[A]', 'a', false], [':(icase)[a]', 'A', true], [':(icase)[A-Z]', 'b', true], [':(icase)\\A', 'a', false],
    ['.', 'anything/at/all', true], ['./fw', 'fw/a.c', true], ['fw/./a.c', 'fw/a.c', true], ['fw//a.c', 'fw/a.c', true],
    ['x/../fw', 'fw/a.c', true], ['*/..', 'q', true], [':(top)./fw', 'fw/a.c', false], [':/fw', 'fw/a.c', true],
    [':/', 'z', true], [':x:y', 'x:y', true], ['::fw', 'fw/a.c', true], ['-leading', '-leading', true],
    [':!fw', 'fw/a.c', true], // matches() ignores the exclude flag; lists apply it
  ])('%j vs %j -> %s', (pattern, path, expected) => {
    expect(parsePathspec(pattern).matches(path)).toBe(expected);
  });
});

describe('matchPathspecs', () => {
  const specs = parsePathspecs(['fw/', ':(glob)lib/**/*.ts', ':!fw/generated/', ':(exclude,icase)*.LOCK']);
  test('first positive match, then excludes', () => {
    expect(matchPathspecs(specs, 'fw/a.c')).toEqual({ matched: true, by: specs[0] });
    expect(matchPathspecs(specs, 'lib/x/y.ts')).toEqual({ matched: true, by: specs[1] });
    expect(matchPathspecs(specs, 'fw/generated/x.c')).toEqual({ matched: false, by: specs[0], excludedBy: specs[2] });
    expect(matchPathspecs(specs, 'fw/yarn.lock')).toEqual({ matched: false, by: specs[0], excludedBy: specs[3] });
    expect(matchPathspecs(specs, 'docs/a.md')).toEqual({ matched: false });
  });
  test('only excludes: everything else is selected (git adds an implicit ".")', () => {
    const only = parsePathspecs([':!fw', ':^lib/']);
    expect(matchPathspecs(only, 'docs/a.md')).toEqual({ matched: true });
    expect(matchPathspecs(only, 'lib/a')).toEqual({ matched: false, excludedBy: only[1] });
  });
  test('an empty list selects nothing (fail closed)', () => {
    expect(matchPathspecs([], 'anything')).toEqual({ matched: false });
  });
  test('accepts other Pathspec implementations', () => {
    const custom: Pathspec = { source: 'custom', exclude: false, matches: (p) => p.endsWith('.md') };
    expect(matchPathspecs([custom], 'a.md')).toEqual({ matched: true, by: custom });
  });
});

describe('bytes and speed', () => {
  test('paths are matched as UTF-8 bytes', () => {
    expect(toByteString('abc')).toBe('abc');
    expect(toByteString('é')).toBe('\u00c3\u00a9');
    expect(wildmatch('*/b', 'a/b', WM_PATHNAME)).toBe(true);
  });

  // Speed is measured by `npm run bench` (scenario 1: 50,000 paths), never by a timed unit test.
  test('50,000 paths against 8 patterns: each pattern decides some paths, and not all', () => {
    const list = parsePathspecs(['team1/', ':(glob)team2/**/*.ts', 'team3/*.md', ':!team1/mod5', ':(icase)TEAM4/mod1*',
      '*.lock', ':(exclude,glob)**/secret/**', 'team5/mod9/src']);
    const paths = Array.from({ length: 50000 }, (_, i) => `team${i % 7}/mod${i % 97}/dir${i % 13}/file-${i}.${['ts', 'md', 'lock', 'c'][i % 4]}`);
    const selected = paths.filter((p) => matchPathspecs(list, p).matched);
    expect(selected.length).toBeGreaterThan(0);
    expect(selected.length).toBeLessThan(paths.length);
    for (const prefix of ['team1/', 'team2/', 'team3/', 'team4/']) expect(selected.some((p) => p.startsWith(prefix))).toBe(true);
    expect(selected.some((p) => p.startsWith('team1/mod5/'))).toBe(false);
  });

  // Backtracking would take minutes (as git itself does here): jest's own test timeout catches a hang.
  test('no catastrophic backtracking (git itself takes minutes here)', () => {
    const long = `${'a/'.repeat(200)}c`;
    expect(parsePathspec('*a*a*a*a*a*a*a*a*a*a*a*a*b').matches(long)).toBe(false);
    expect(parsePathspec(':(glob)**/**/**/**/**/**/**/b').matches(long)).toBe(false);
    expect(parsePathspec(':(glob)**/**/**/**/**/**/**/a/c').matches(long)).toBe(true);
  });

  test('compiled once: parsePathspec returns a CompiledPathspec', () => {
    expect(parsePathspec('fw/*.c')).toBeInstanceOf(CompiledPathspec);
    expect(parsePathspec('fw/*.c').literalLength).toBe(3);
  });
});
