/**
 * Write scopes that share paths, and patterns that select nothing (docs/policy.md, "Overlaps").
 *
 * Overlap between pathspecs in general is hard, so two approximations, each sound for what it says:
 * - From the patterns alone (cheap, on every build): a pair of patterns of two teams where one
 *   **contains** the other (every path the narrower can select, the wider selects too: a literal
 *   path inside a literal directory, anything inside "*" or a `prefix*`), unless an exclude of
 *   either team removes the narrower (or the wider) whole. Such a pair always shares every path the
 *   narrower selects. Patterns whose wildcards may or may not meet (`:(glob)src/**\/*.ts` and
 *   `:(glob)src/**\/*.md`) are not reported from text alone.
 * - Over a tree's paths (explain, the architect's pre-commit): every path two teams may both write,
 *   exactly, with the team pairs the first check did not report; and every positive write pattern
 *   that selects no path of the tree.
 */
import { isPolicyFile } from './explain';
import { CompiledPathspec, matchPathspecs, type Pathspec } from './pathspec';
import { sortProblems } from './problems';
import type { Pattern, Policy, PolicyProblem, SourcePos, Team } from './types';

/** What a positive pattern can select, as far as its text tells. */
interface Region {
  /** Absent for the implicit "everything" of a list of only excludes. */
  pattern?: Pattern;
  /** literal: `base` and below; prefix-all: every path starting with `base`; wild: some paths starting with `base`. */
  kind: 'literal' | 'prefix-all' | 'wild';
  base: string;
  /** A literal written with a trailing slash selects only below `base`. */
  dirOnly: boolean;
  icase: boolean;
}

const EVERYTHING: Region = { kind: 'prefix-all', base: '', dirOnly: false, icase: false };
const lower = (text: string) => text.replace(/[A-Z]+/g, (m) => m.toLowerCase());

function regionOf(pattern: Pattern): Region {
  const spec = pattern.spec;
  // Only compiled pathspecs occur in a built policy; anything else may select anything and contains nothing.
  if (!(spec instanceof CompiledPathspec)) return { pattern, kind: 'wild', base: '', dirOnly: false, icase: true };
  const { match, literalLength, magic } = spec;
  const icase = magic.icase;
  if (match === '') return { pattern, kind: 'prefix-all', base: '', dirOnly: false, icase };
  if (literalLength === match.length) return { pattern, kind: 'literal', base: match.replace(/\/$/, ''), dirOnly: match.endsWith('/'), icase };
  const base = match.slice(0, literalLength);
  const tail = match.slice(literalLength);
  const all = magic.glob ? tail === '**' && (base === '' || base.endsWith('/')) : tail === '*';
  return { pattern, kind: all ? 'prefix-all' : 'wild', base, dirOnly: false, icase };
}

/** Whether every path `inner` can select is selected by `outer` (true only when certain). */
function contains(outer: Region, inner: Region): boolean {
  if (outer.kind === 'prefix-all' && outer.base === '') return true;
  if (inner.icase && !outer.icase) return false;
  const fold = (text: string) => (outer.icase ? lower(text) : text);
  const [o, i] = [fold(outer.base), fold(inner.base)];
  if (outer.kind === 'prefix-all') return i.startsWith(o);
  if (outer.kind === 'wild') return false;
  if (inner.kind === 'literal' && i === o) return !outer.dirOnly || inner.dirOnly;
  return i.startsWith(`${o}/`);
}

interface Scope {
  team: Team;
  positives: Region[];
  excludes: Region[];
}

function scopeOf(team: Team): Scope {
  const positives = team.write.filter((pattern) => !pattern.spec.exclude).map(regionOf);
  const excludes = team.write.filter((pattern) => pattern.spec.exclude).map(regionOf);
  return { team, positives: positives.length > 0 ? positives : [EVERYTHING], excludes };
}

const at = (pos: SourcePos) => `${pos.file}:${pos.line}:${pos.col}`;

/** `"qa/../fw/"`, with git's reading when it differs from the text: `"qa/../fw/" (read as "fw/")`. */
export function showPattern(pattern: Pattern): string {
  const spec = pattern.spec;
  const read = spec instanceof CompiledPathspec && !pattern.text.startsWith(':') && spec.match !== pattern.text ? ` (read as "${spec.match}")` : '';
  return `"${pattern.text}"${read}`;
}

function showRegion(region: Region, team: Team): string {
  return region.pattern ? `${showPattern(region.pattern)} (${at(region.pattern.pos)})` : `its list of only excludes, which selects everything but them (${team.file})`;
}

/** How to separate them: an exclude of the narrower pattern in the wider team's list, when one can be written. */
function separateFix(wide: Team, narrow: Region): string {
  const text = narrow.pattern?.text;
  const exclude = text && !text.startsWith(':') && narrow.pattern!.spec instanceof CompiledPathspec ? `":!${(narrow.pattern!.spec as CompiledPathspec).match}"` : undefined;
  const how = exclude ? `add ${exclude} to team ${wide.name}'s scope.write` : `narrow team ${wide.name}'s scope.write`;
  return `if only one team should write these paths, ${how}; overlaps are allowed, but two teams then change the same files on two branches.`;
}

/** A pair of patterns of two teams where one contains the other, the wider one's team first. */
interface Contained {
  wide: { scope: Scope; region: Region };
  narrow: { scope: Scope; region: Region };
}

const pairKey = (one: Team, other: Team) => [one.name, other.name].sort().join('\0');

function containedPairs(teams: readonly Team[]): Contained[] {
  const scopes = teams.map(scopeOf);
  const out: Contained[] = [];
  for (let i = 0; i < scopes.length; i++) {
    for (let j = i + 1; j < scopes.length; j++) {
      for (const a of scopes[i].positives) {
        for (const b of scopes[j].positives) {
          const pair = containedPair({ scope: scopes[i], region: a }, { scope: scopes[j], region: b });
          if (pair) out.push(pair);
        }
      }
    }
  }
  return out;
}

function containedPair(x: Contained['wide'], y: Contained['wide']): Contained | null {
  const xHasY = contains(x.region, y.region);
  const yHasX = contains(y.region, x.region);
  if (!xHasY && !yHasX) return null;
  // The same paths both ways: the wider claim is the one outside its team's own directory.
  const xWide = xHasY && (!yHasX || !ownsDirectory(x.scope.team, x.region));
  const [wide, narrow] = xWide ? [x, y] : [y, x];
  const excludes = [...x.scope.excludes, ...y.scope.excludes];
  return excludes.some((exclude) => contains(exclude, narrow.region)) ? null : { wide, narrow };
}

/**
 * Pairs of teams whose write patterns contain one another (see the module comment): one warning per
 * pattern pair, at the wider pattern.
 */
export function overlapWarnings(teams: readonly Team[]): PolicyProblem[] {
  return containedPairs(teams).map(({ wide, narrow }) => {
    const [w, n] = [wide.scope.team, narrow.scope.team];
    return { ...(wide.region.pattern?.pos ?? w.pos),
      message: `teams ${w.name} and ${n.name} may both write every path of team ${n.name}'s ${showRegion(narrow.region, n)}: team ${w.name}'s ${showRegion(wide.region, w)} selects them too`,
      fix: separateFix(w, narrow.region) };
  });
}

/** Whether the region lies in the directory holding the team's CLAUDE.md (its own files). */
function ownsDirectory(team: Team, region: Region): boolean {
  const dir = team.file.includes('/') ? team.file.slice(0, team.file.lastIndexOf('/')) : '';
  return dir !== '' && (region.base === dir || region.base.startsWith(`${dir}/`));
}

/** A wildcard pattern ending in "/" can only match paths ending in "/", and no file path does. */
export function wildcardDirectory(pattern: Pattern): boolean {
  const spec = pattern.spec;
  return spec instanceof CompiledPathspec && !spec.exclude && spec.literalLength < spec.match.length && spec.match.endsWith('/');
}

const EXAMPLES = 3;

/**
 * Warnings only a tree can give, over its file paths (repository-relative): team pairs that may both
 * write some of them (pairs overlapWarnings reports are left out), and positive write patterns that
 * select none of them. Policy files are left out of the overlap: only the architect writes them.
 */
export function treeWarnings(policy: Policy, paths: readonly string[]): PolicyProblem[] {
  const reported = new Set(containedPairs(policy.teams).map(({ wide, narrow }) => pairKey(wide.scope.team, narrow.scope.team)));
  const shared = new Map<string, { x: Writer; y: Writer; paths: string[]; count: number }>();
  const unused = new Set(policy.teams.flatMap((team) => team.write.filter((pattern) => !pattern.spec.exclude && !wildcardDirectory(pattern))));
  const specs = policy.teams.map((team) => ({ team, specs: team.write.map((pattern) => pattern.spec) }));
  for (const path of paths) {
    for (const pattern of unused) if (pattern.spec.matches(path)) unused.delete(pattern);
    const writers = writersOf(specs, path);
    if (writers.length < 2 || isPolicyFile(policy, path)) continue;
    for (let i = 0; i < writers.length; i++) {
      for (let j = i + 1; j < writers.length; j++) {
        const key = pairKey(writers[i].team, writers[j].team);
        const entry = shared.get(key) ?? { x: writers[i], y: writers[j], paths: [], count: 0 };
        entry.count++;
        if (entry.paths.length < EXAMPLES) entry.paths.push(path);
        shared.set(key, entry);
      }
    }
  }
  const warnings: PolicyProblem[] = [];
  const by = (writer: Writer) => `team ${writer.team.name} by ${writer.by ? `${showPattern(writer.by)} (${at(writer.by.pos)})` : `its list of only excludes (${writer.team.file})`}`;
  for (const [key, { x, y, paths: examples, count }] of shared) {
    if (reported.has(key)) continue;
    warnings.push({ ...(x.by?.pos ?? x.team.pos),
      message: `teams ${x.team.name} and ${y.team.name} may both write ${count === 1 ? '1 path' : `${count} paths`} of the tree, e.g. ${examples.join(', ')}: ${by(x)}, ${by(y)}`,
      fix: 'if only one team should write these paths, add an exclude (":!path") to the other team\'s scope.write; overlaps are allowed, but two teams then change the same files on two branches.' });
  }
  for (const pattern of unused) {
    const team = policy.teams.find((candidate) => candidate.write.includes(pattern))!;
    warnings.push({ ...pattern.pos,
      message: `team ${team.name}'s scope.write pattern ${showPattern(pattern)} selects no path of the tree`,
      fix: `check it against the tree: \`git ls-files -- '${pattern.text}'\` lists what it selects (a scope for files not written yet is fine).` });
  }
  return warnings;
}

/** A team that may write a path, and the positive pattern that admits it (none for a list of only excludes). */
interface Writer {
  team: Team;
  by?: Pattern;
}

function writersOf(teams: readonly { team: Team; specs: Pathspec[] }[], path: string): Writer[] {
  const writers: Writer[] = [];
  for (const { team, specs } of teams) {
    const result = matchPathspecs(specs, path);
    if (result.matched) writers.push({ team, by: team.write.find((pattern) => pattern.spec === result.by) });
  }
  return writers;
}
/** The build's warnings and the tree's (treeWarnings), in file order. */
export function withTreeWarnings(policy: Policy, buildWarnings: readonly PolicyProblem[], paths: readonly string[]): PolicyProblem[] {
  return sortProblems([...buildWarnings, ...treeWarnings(policy, paths)]);
}
