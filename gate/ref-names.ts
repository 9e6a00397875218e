/**
 * Names that would make a ref mean two things. git resolves a short name through refs/<name>,
 * refs/tags/<name>, refs/heads/<name>, refs/remotes/<name>: a tag `main` or a branch named like a tag
 * changes what `git checkout main` or `git merge round-3/start` picks, for everyone. Such names are
 * rejected, whoever pushes them.
 */
import type { GitRepo } from '../git/repo';
import type { Policy } from '../policy/types';
import { isCreation, isDeletion, type RefRejection, type RefUpdate } from './ref-rules';

const HEX_ID = /^[0-9a-f]{40}([0-9a-f]{24})?$/i;

/** Why a short branch or tag name is ambiguous by itself, or null. */
function reservedName(short: string): string | null {
  if (short === 'HEAD' || /^(refs|heads|tags|remotes)\//.test(short)) return `"${short}" reads as another ref to git (${short === 'HEAD' ? 'HEAD' : `${short.split('/')[0]}/…`})`;
  if (HEX_ID.test(short)) return `"${short}" reads as an object id to git`;
  return null;
}

/** Compared without case: on a case-insensitive file system `refs/tags/Main` and `refs/heads/main` collide. */
function tagNameProblem(policy: Policy, tag: string): string | null {
  const folded = tag.toLowerCase();
  const branch = policy.coord.protected.find((name) => name.toLowerCase() === folded);
  if (branch) return `a tag named like the protected branch ${branch}`;
  const team = policy.teams.find((candidate) => folded === candidate.name || folded.startsWith(`${candidate.name}/`));
  if (team) return `a tag in team ${team.name}'s branch namespace (${team.name}/…)`;
  return null;
}

/**
 * Rejections for updates that create a branch or tag, or move a tag, whose short name is ambiguous:
 * reserved shapes, tags in branch namespaces, and a branch and a tag that would share a name after the
 * push. Moving an existing branch is never refused for its name: git resolves a short name to the tag
 * first, so the tag is what shadows, and refusing the branch would lock it (main, with a tag `main`
 * left from before this rule) without making anything less ambiguous.
 */
export async function ambiguousNames(repo: GitRepo, policy: Policy, updates: RefUpdate[]): Promise<RefRejection[]> {
  const named = updates.filter((update) => !isDeletion(update)
    && (update.ref.startsWith('refs/tags/') || (update.ref.startsWith('refs/heads/') && isCreation(update))));
  if (named.length === 0) return [];
  const rejections: RefRejection[] = [];
  const reject = (update: RefUpdate, message: string, fix: string) => rejections.push({ ref: update.ref, message: `ambiguous name: ${message}`, fix });
  const shortOf = (ref: string) => ref.replace(/^refs\/(heads|tags)\//, '');
  const twin = (ref: string) => ref.startsWith('refs/heads/') ? `refs/tags/${shortOf(ref)}` : `refs/heads/${shortOf(ref)}`;
  // The twins as they will be after the push: existing refs, plus this push's creations, less its deletions.
  const existing = new Set((await repo.listRefs(named.map((update) => twin(update.ref)))).map((ref) => ref.name));
  for (const update of updates) {
    if (isDeletion(update)) existing.delete(update.ref);
    else existing.add(update.ref);
  }
  for (const update of named) {
    const short = shortOf(update.ref);
    const isTag = update.ref.startsWith('refs/tags/');
    const reserved = reservedName(short);
    if (reserved) { reject(update, reserved, 'choose another name'); continue; }
    const problem = isTag ? tagNameProblem(policy, short) : null;
    if (problem) { reject(update, problem, 'choose a tag name that is not a branch name or inside a team namespace'); continue; }
    if (existing.has(twin(update.ref))) {
      reject(update, `${isTag ? 'a branch' : 'a tag'} ${short} exists too (${twin(update.ref)})`,
        `choose another name; an administrator can delete the other ref on the server if it is the mistake`);
    }
  }
  return rejections;
}
