/**
 * A short, stable name for "this repository", so that per-team files kept outside it (signing keys in
 * ~/.ssh) do not collide between two projects that both have a team `fw`. The first choice is the
 * root commit of the protected branch: every clone of the project, from any server or mirror, agrees
 * on it. A repository with no protected branch yet falls back to the remote's URL, then to the path.
 */
import { createHash } from 'crypto';
import type { GitRepo } from '../git/repo';
import { protectedRefs, remoteName } from '../policy/locate';

export interface RepositoryId {
  /** 8 hex digits, used in file names. */
  id: string;
  /** What it was derived from, for messages: "root commit 1a2b3c4d5e of origin/main". */
  from: string;
}

const short = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 8);

export async function repositoryId(repo: GitRepo): Promise<RepositoryId> {
  const [ref] = await protectedRefs(repo);
  if (ref) {
    const { stdout } = await repo.run(['rev-list', '--max-parents=0', ref]);
    const [root] = stdout.toString('utf8').split('\n').filter(Boolean).sort();
    if (root) return { id: root.slice(0, 8), from: `root commit ${root.slice(0, 10)} of ${ref.replace(/^refs\/(remotes|heads)\//, '')}` };
  }
  const remote = await remoteName(repo);
  const url = await repo.configGet(`remote.${remote}.url`);
  if (url) return { id: short(url), from: `the URL of ${remote} (${url}); no protected branch fetched yet` };
  const top = await repo.topLevel();
  return { id: short(top), from: `the path ${top}; no protected branch and no remote yet` };
}
