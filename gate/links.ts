/**
 * Symlinks judged the way a checkout would lay them out: a link's target is resolved through the
 * commit's resulting tree (gate/symlink.ts), and must stay in the writing team's scope. A new link can
 * also change where links already there lead (`fw/l -> sub/up/../x` once `fw/sub/up` becomes a link
 * to `..`), so a commit that writes a link has every link of the team's scope in its tree checked again.
 */
import type { GitRepo } from '../git/repo';
import type { Team } from '../policy/types';
import { listTreePaths, resolveLinkTarget, targetInScope, type ReadLink, type ReadTree } from './symlink';

export interface LinkReaders {
  readTree: ReadTree;
  readLink: ReadLink;
  /** The symlinks of a commit's tree, with their blob ids. */
  listLinks: (commit: string) => Promise<{ path: string; oid: string }[]>;
  /** A commit's parents. */
  parents: (commit: string) => Promise<string[]>;
  /** Memo of whole-tree re-checks, by commit and team. */
  rechecked: Map<string, Promise<LinkEscape | null>>;
}

export interface LinkEscape {
  path: string;
  target: string;
  reason: string;
}

function memo<T>(make: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const values = new Map<string, Promise<T>>();
  return (key) => {
    if (!values.has(key)) values.set(key, make(key));
    return values.get(key)!;
  };
}

export function linkReaders(repo: GitRepo): LinkReaders {
  return {
    readTree: memo((oid) => repo.objects().readTree(oid)),
    readLink: async (oid) => (await repo.objects().read(oid))?.content ?? null,
    listLinks: memo(async (commit) => (await repo.lsTree(commit, [])).filter((entry) => entry.mode === '120000').map(({ path, oid }) => ({ path, oid }))),
    parents: async (commit) => {
      const object = await repo.objects().read(commit);
      const headers = object?.content.toString('utf8').split('\n\n')[0] ?? '';
      return headers.split('\n').filter((line) => line.startsWith('parent ')).map((line) => line.slice('parent '.length));
    },
    rechecked: new Map(),
  };
}

/** Why the link at `path` (target `target`) in `commit`'s tree leaves the scope; null when it stays inside. */
export async function linkEscapes(readers: LinkReaders, inScope: (path: string) => boolean, commit: string, path: string, target: Buffer | string): Promise<string | null> {
  const root = `${commit}^{tree}`;
  const resolved = await resolveLinkTarget(readers.readTree, readers.readLink, root, path, target);
  const verdict = await targetInScope(resolved, inScope, (dir) => listTreePaths(readers.readTree, root, dir));
  return verdict.inside ? null : verdict.reason;
}

async function escapingLink(readers: LinkReaders, inScope: (path: string) => boolean, commit: string, path: string): Promise<LinkEscape | null> {
  const link = (await readers.listLinks(commit)).find((candidate) => candidate.path === path);
  if (!link) return null;
  const target = (await readers.readLink(link.oid)) ?? '';
  const reason = await linkEscapes(readers, inScope, commit, path, target);
  return reason ? { path, target: target.toString(), reason } : null;
}

/**
 * The first link of `team`'s scope in `commit`'s tree that leads outside it now and did not in any
 * parent (a link that already led outside is not this commit's doing), once per commit and team.
 */
export function linksOfScopeEscaping(readers: LinkReaders, team: Team, inScope: (path: string) => boolean, commit: string): Promise<LinkEscape | null> {
  const key = `${commit}\0${team.name}`;
  if (!readers.rechecked.has(key)) {
    readers.rechecked.set(key, (async () => {
      const parents = await readers.parents(commit);
      for (const link of await readers.listLinks(commit)) {
        if (!inScope(link.path)) continue;
        const escape = await escapingLink(readers, inScope, commit, link.path);
        if (!escape) continue;
        const before = await Promise.all(parents.map((parent) => escapingLink(readers, inScope, parent, link.path)));
        if (before.every((earlier) => earlier === null)) return escape;
      }
      return null;
    })());
  }
  return readers.rechecked.get(key)!;
}
