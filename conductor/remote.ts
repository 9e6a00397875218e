/**
 * What `up` reads from the server, from the architect's clone: one `git ls-remote` per poll for the
 * teams' round branches and the round tags; only branches that moved are fetched (one fetch), and the
 * round tags and the protected branch only when a tag appeared (then the tally verifies them).
 */
import { writeFileSync } from 'fs';
import type { GitRepo } from '../git/repo';
import { announcementPath, parseRoundBranch, replyPath, roundBranch } from '../policy/round-names';
import { fetchBranches } from '../rounds/watch';

export interface RemoteSnapshot {
  /** Round branch (`fw/round-3`) → tip, for the conductor's teams. */
  branches: Map<string, string>;
  /** `refs/tags/round-…` → id. */
  tags: Map<string, string>;
}

export interface Announcement {
  team: string;
  round: number;
  branch: string;
  /** The commit that last changed ANNOUNCEMENT.md. */
  commit: string;
  text: string;
}

export async function snapshot(repo: GitRepo, remote: string, teams: string[]): Promise<RemoteSnapshot> {
  const refs = await repo.lsRemote(remote, ['refs/heads/*/round-*', 'refs/tags/round-*']);
  const branches = new Map<string, string>();
  const tags = new Map<string, string>();
  for (const [ref, oid] of refs) {
    if (ref.startsWith('refs/tags/')) tags.set(ref, oid);
    else {
      const branch = ref.slice('refs/heads/'.length);
      const parsed = parseRoundBranch(branch);
      if (parsed && teams.includes(parsed.team)) branches.set(branch, oid);
    }
  }
  return { branches, tags };
}

/** Fetches the branches whose tip differs from `before` (one fetch); returns them. */
export async function fetchMoved(repo: GitRepo, remote: string, now: RemoteSnapshot, before: RemoteSnapshot | null): Promise<string[]> {
  const moved = [...now.branches].filter(([branch, tip]) => before?.branches.get(branch) !== tip).map(([branch]) => branch);
  await fetchBranches(repo, remote, moved);
  return moved;
}

async function lastChange(repo: GitRepo, ref: string, path: string): Promise<string | null> {
  const { stdout } = await repo.run(['log', '-1', '--format=%H', ref, '--', path]);
  return stdout.toString('utf8').trim() || null;
}

/** The announcement on a fetched round branch, or null when it has none. */
export async function readAnnouncement(repo: GitRepo, remote: string, branch: string): Promise<Announcement | null> {
  const parsed = parseRoundBranch(branch);
  if (!parsed) return null;
  const path = announcementPath(parsed.round, parsed.team);
  const ref = `refs/remotes/${remote}/${branch}`;
  const commit = await lastChange(repo, ref, path);
  if (!commit) return null;
  const text = (await repo.objects().readBlobText(`${ref}:${path}`)) ?? '';
  return { ...parsed, branch, commit, text };
}

export const doneTagRef = (round: number, team: string) => `refs/tags/round-${round}/done/${team}`;

/**
 * Has the team answered the announcement: its done-tag is on the server, or a REPLY.md changed after the
 * announcement commit on the (fetched) round branch?
 */
export async function answer(repo: GitRepo, remote: string, snap: RemoteSnapshot, item: { team: string; round: number; commit: string }): Promise<'done' | 'replied' | null> {
  if (snap.tags.has(doneTagRef(item.round, item.team))) return 'done';
  const ref = `refs/remotes/${remote}/${roundBranch(item.team, item.round)}`;
  if (!(await repo.resolve(ref))) return null;
  const reply = await lastChange(repo, ref, replyPath(item.round, item.team));
  return reply && (await repo.isAncestor(item.commit, reply)) ? 'replied' : null;
}

/** Every expected team's REPLY.md of the round, one file with a heading per team: the architect command's `$REPLIES`. */
export async function writeReplies(repo: GitRepo, remote: string, round: number, teams: string[], file: string): Promise<void> {
  const parts: string[] = [`# Replies to round ${round}`, ''];
  for (const team of teams) {
    const text = await repo.objects().readBlobText(`refs/remotes/${remote}/${roundBranch(team, round)}:${replyPath(round, team)}`);
    parts.push(`## ${team}`, '', (text ?? '(no reply)').trimEnd(), '');
  }
  writeFileSync(file, parts.join('\n'));
}
