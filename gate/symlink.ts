/**
 * Where a symlink leads once its commit is checked out: the target resolved component by component
 * through the commit's tree, the way a file system does (links followed, `..` after a link taken
 * from where the link led, at most 40 links), and whether that place lies in a team's scope.
 *
 * Everything a checkout on some platform could read differently is an escape: absolute targets,
 * NUL, backslashes, `:` (drives, NTFS streams), components Windows reads as `.` or `..`, possible
 * NTFS short names, names that match an entry only up to case, Unicode normalization or trailing
 * dots and spaces. Intended differences from the kernel and from
 * `git cat-file --follow-symlinks` are listed in test/integration/symlink-differential.test.ts.
 */
import type { TreeEntry } from '../git/batch';

/** Entries of a tree object, null when it cannot be read (production: `(oid) => repo.objects().readTree(oid)`). */
export type ReadTree = (treeOid: string) => Promise<TreeEntry[] | null>;
/** The raw target of a symlink blob, null when it cannot be read. */
export type ReadLink = (blobOid: string) => Promise<Buffer | string | null>;

export type Resolution =
  /** `path`: repository-relative, '' is the root; 'missing': some component does not exist (yet). */
  | { kind: 'inside'; path: string; type: 'blob' | 'tree' | 'gitlink' | 'missing' }
  | { kind: 'escape'; reason: string };

export type ScopeVerdict = { inside: true } | { inside: false; reason: string };

/** Links followed in one resolution, the link itself included (Linux's MAXSYMLINKS, git's limit). */
export const MAX_SYMLINK_HOPS = 40;
/** A name no narrow pattern matches: a directory is covered when a file of this name in it would be. */
export const SCOPE_PROBE_NAME = '.coord-hooks-probe~';

class Escape {
  constructor(readonly reason: string) {}
}

interface Dir {
  name: string;
  /** null: the directory does not exist in the tree. */
  oid: string | null;
}

const show = (text: string) => JSON.stringify(text);
const joinPath = (dirs: Dir[], name?: string) => [...dirs.map((dir) => dir.name), ...(name === undefined ? [] : [name])].join('/');

/** What one checkout or another might take for the same name: case, Unicode form, HFS-ignorable code points, Windows' trailing dots and spaces. */
function foldName(name: string): string {
  return name.normalize('NFC').replace(/[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g, '').replace(/[. ]+$/, '').toUpperCase();
}

/** Why a link's target text cannot be trusted on some checkout, or null. */
function targetProblem(target: string): string | null {
  if (target === '') return 'empty target';
  if (target.includes('\0')) return 'target contains a NUL byte';
  if (target.includes('\ufffd')) return 'target is not valid UTF-8';
  if (target.startsWith('/')) return 'absolute target (starts with "/")';
  if (target.includes('\\')) return 'target contains a backslash, a path separator on Windows';
  if (/^[A-Za-z]:/.test(target)) return 'target starts with a drive prefix ("C:"): absolute on Windows';
  if (target.includes(':')) return 'target contains ":", a drive or NTFS stream separator on Windows';
  for (const component of target.split('/')) {
    if (/^[. ]+$/.test(component) && component !== '.' && component !== '..') {
      return `component ${show(component)} is read as "." or ".." on Windows (trailing dots and spaces are dropped)`;
    }
    if (/~\d/.test(component)) return `component ${show(component)} may be an NTFS short (8.3) name of another entry`;
  }
  return null;
}

/** A link's target split into components, or why it cannot be trusted on some checkout. */
function targetComponents(raw: Buffer | string): string[] | Escape {
  let text = raw;
  if (typeof text !== 'string') {
    if (text.includes(0)) return new Escape('target contains a NUL byte');
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(text);
    } catch {
      return new Escape('target is not valid UTF-8');
    }
  }
  const problem = targetProblem(text);
  return problem === null ? text.split('/') : new Escape(problem);
}

/**
 * Resolves the symlink at `linkPath` (repository-relative, '/'-separated) whose target is `target`,
 * through the tree `rootTree`, as open() would after a checkout: from the link's directory, links
 * followed wherever they appear (the last component too), `..` leaving the directory actually
 * reached. After a component that does not exist, `..` is taken lexically (as if the missing
 * directories were plain ones) and the walk goes on through the tree from wherever that lands; the
 * type is then 'missing'. A file or submodule where a directory is needed is an escape (ENOTDIR:
 * nothing can be written through it now, but its meaning would depend on what later replaces it).
 */
export async function resolveLinkTarget(
  readTree: ReadTree,
  readLink: ReadLink,
  rootTree: string,
  linkPath: string,
  target: Buffer | string,
): Promise<Resolution> {
  // Each tree read once per resolution, its entries by folded name.
  const trees = new Map<string, Promise<Map<string, TreeEntry[]> | null>>();
  const index = (oid: string) => {
    if (!trees.has(oid)) {
      trees.set(oid, readTree(oid).then((entries) => {
        if (!entries) return null;
        const byName = new Map<string, TreeEntry[]>();
        for (const entry of entries) {
          const key = foldName(entry.name);
          byName.set(key, [...(byName.get(key) ?? []), entry]);
        }
        return byName;
      }));
    }
    return trees.get(oid)!;
  };

  /** The directory reached so far, from the root; a missing one has no oid. */
  const dirs: Dir[] = [];
  /** The entry `name` of the current directory; null when it or the directory does not exist. */
  const lookup = async (name: string): Promise<TreeEntry | null> => {
    const oid = dirs.length === 0 ? rootTree : dirs[dirs.length - 1].oid;
    if (oid === null) return null;
    const byName = await index(oid);
    if (!byName) throw new Escape(`tree ${oid} at ${show(joinPath(dirs))} cannot be read`);
    const matches = byName.get(foldName(name)) ?? [];
    if (matches.length === 0) return null;
    if (matches.length > 1 || matches[0].name !== name) {
      throw new Escape(`${show(joinPath(dirs, name))} can name ${matches.map((entry) => show(entry.name)).join(' or ')} on case-insensitive or Windows file systems`);
    }
    return matches[0];
  };
  const readTarget = async (raw: Buffer | string | null, where: string): Promise<string[]> => {
    if (raw === null) throw new Escape(`the target of ${show(where)} cannot be read`);
    const components = targetComponents(raw);
    if (components instanceof Escape) throw new Escape(where === linkPath ? components.reason : `${components.reason}, in ${show(where)}`);
    return components;
  };

  try {
    for (const name of linkPath.split('/').slice(0, -1)) {
      const entry = await lookup(name);
      dirs.push({ name, oid: entry && entry.mode === '40000' ? entry.oid : null });
    }
    const pending = await readTarget(target, linkPath);
    let hops = 1;
    let missing = dirs.some((dir) => dir.oid === null);
    while (pending.length > 0) {
      const name = pending.shift()!;
      const last = pending.length === 0;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        if (dirs.length === 0) throw new Escape('leaves the repository');
        dirs.pop();
        continue;
      }
      const entry = await lookup(name);
      if (!entry) {
        missing = true;
        dirs.push({ name, oid: null });
      } else if (entry.mode === '40000') {
        dirs.push({ name, oid: entry.oid });
      } else if (entry.mode === '120000') {
        hops += 1;
        if (hops > MAX_SYMLINK_HOPS) throw new Escape(`symlink loop (more than ${MAX_SYMLINK_HOPS} links followed)`);
        const where = joinPath(dirs, name);
        pending.unshift(...(await readTarget(await readLink(entry.oid), where)));
      } else if (entry.mode === '160000' || /^100\d\d\d$/.test(entry.mode)) {
        const what = entry.mode === '160000' ? 'a submodule' : 'a file';
        if (!last) throw new Escape(`passes through ${what}: ${show(joinPath(dirs, name))} is not a directory`);
        return { kind: 'inside', path: joinPath(dirs, name), type: missing ? 'missing' : entry.mode === '160000' ? 'gitlink' : 'blob' };
      } else {
        throw new Escape(`${show(joinPath(dirs, name))} has the unknown mode ${entry.mode}`);
      }
    }
    return { kind: 'inside', path: joinPath(dirs), type: missing ? 'missing' : 'tree' };
  } catch (error) {
    if (error instanceof Escape) return { kind: 'escape', reason: error.reason };
    throw error;
  }
}

/** Every path (files, links, submodules) below the directory `dir` of the tree `rootTree`; [] when it is not a directory. */
export async function listTreePaths(readTree: ReadTree, rootTree: string, dir: string): Promise<string[]> {
  let oid: string | null = rootTree;
  for (const name of dir === '' ? [] : dir.split('/')) {
    const entries: TreeEntry[] | null = await readTree(oid);
    const entry = entries?.find((candidate) => candidate.name === name);
    oid = entry && entry.mode === '40000' ? entry.oid : null;
    if (oid === null) return [];
  }
  const paths: string[] = [];
  const walk = async (treeOid: string, prefix: string): Promise<void> => {
    for (const entry of (await readTree(treeOid)) ?? []) {
      if (entry.mode === '40000') await walk(entry.oid, `${prefix}${entry.name}/`);
      else paths.push(`${prefix}${entry.name}`);
    }
  };
  await walk(oid, dir === '' ? '' : `${dir}/`);
  return paths;
}

/**
 * Whether a resolved target lies in a scope. A file (or a place that does not exist yet) must be in
 * scope itself; a directory (or submodule) must be covered as a whole, for names not yet written too
 * (probe: `<dir>/${SCOPE_PROBE_NAME}`), and so must everything already below it; the repository root
 * never is. `listUnder(dir)`: every path below `dir` (see listTreePaths).
 */
export async function targetInScope(
  result: Resolution,
  inScope: (path: string) => boolean,
  listUnder: (dir: string) => Promise<string[]>,
): Promise<ScopeVerdict> {
  if (result.kind === 'escape') return { inside: false, reason: result.reason };
  const { path, type } = result;
  if (path === '') return { inside: false, reason: 'leads to the repository root' };
  if (type === 'blob' || type === 'missing') {
    return inScope(path) ? { inside: true } : { inside: false, reason: `leads to ${show(path)}, outside the scope` };
  }
  if (!inScope(`${path}/${SCOPE_PROBE_NAME}`)) return { inside: false, reason: `leads to the directory ${show(path)}, not wholly in the scope` };
  if (type === 'tree') {
    const outside = (await listUnder(path)).find((below) => !inScope(below));
    if (outside !== undefined) return { inside: false, reason: `leads to the directory ${show(path)}, which holds ${show(outside)} outside the scope` };
  }
  return { inside: true };
}
