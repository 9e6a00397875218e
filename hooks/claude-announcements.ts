/**
 * A team's unanswered announcements, as the session hooks see them: ANNOUNCEMENT.md on `<team>/round-N`
 * (the remote-tracking branch when there is one: the architect writes there; else the local branch)
 * whose last change is not yet followed by a REPLY.md (the local branch first: a reply committed but not
 * pushed counts). Which announcements a session was already handed is kept per work tree in
 * `<git dir>/coord-hooks/claude-handed.json`, so the Stop hook hands each one once.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { GitRepo } from '../git/repo';
import { announcementPath, parseRoundBranch, replyPath, roundBranch } from '../policy/round-names';
import { fetchBranches, listRoundBranches } from '../rounds/watch';

export interface OpenAnnouncement {
  team: string;
  round: number;
  branch: string;
  /** Where it was read: `origin/fw/round-2` or `fw/round-2`. */
  readFrom: string;
  /** The commit that last changed ANNOUNCEMENT.md. */
  commit: string;
  path: string;
  text: string;
}

async function lastChange(repo: GitRepo, ref: string, path: string): Promise<string | null> {
  const { stdout } = await repo.run(['log', '-1', '--format=%H', ref, '--', path]);
  return stdout.toString('utf8').trim() || null;
}

/**
 * One `ls-remote` of the team's round branches; those whose tip is not in refs/remotes/<remote>/ yet are
 * fetched (one fetch). Returns how many branches were fetched.
 */
export async function refreshRoundBranches(repo: GitRepo, team: string, remote: string): Promise<number> {
  const tips = await listRoundBranches(repo, remote, [`refs/heads/${team}/round-*`]);
  const known = new Map((await repo.listRefs([`refs/remotes/${remote}/${team}/`])).map((ref) => [ref.name, ref.oid]));
  const stale = [...tips].filter(([branch, oid]) => known.get(`refs/remotes/${remote}/${branch}`) !== oid).map(([branch]) => branch);
  await fetchBranches(repo, remote, stale);
  return stale.length;
}

/** The team's unanswered announcements, newest round first. */
export async function openAnnouncements(repo: GitRepo, team: string, remote: string): Promise<OpenAnnouncement[]> {
  const refs = await repo.listRefs([`refs/heads/${team}/`, `refs/remotes/${remote}/${team}/`]);
  const rounds = new Map<number, { local?: string; remote?: string }>();
  for (const { name, type } of refs) {
    if (type !== 'commit') continue;
    const remotePrefix = `refs/remotes/${remote}/`;
    const isRemote = name.startsWith(remotePrefix);
    const parsed = parseRoundBranch(name.slice(isRemote ? remotePrefix.length : 'refs/heads/'.length));
    if (!parsed || parsed.team !== team) continue;
    const entry = rounds.get(parsed.round) ?? {};
    entry[isRemote ? 'remote' : 'local'] = name;
    rounds.set(parsed.round, entry);
  }
  const out: OpenAnnouncement[] = [];
  for (const round of [...rounds.keys()].sort((a, b) => b - a)) {
    const { local, remote: tracking } = rounds.get(round)!;
    const path = announcementPath(round, team);
    const from = tracking ?? local!;
    const commit = (await lastChange(repo, from, path)) ?? (tracking && local ? await lastChange(repo, local, path) : null);
    if (!commit) continue;
    let replied = false;
    for (const ref of [local, tracking].filter((ref): ref is string => Boolean(ref))) {
      const reply = await lastChange(repo, ref, replyPath(round, team));
      if (reply && (await repo.isAncestor(commit, reply))) { replied = true; break; }
    }
    if (replied) continue;
    const text = (await repo.objects().readBlobText(`${commit}:${path}`)) ?? '';
    out.push({ team, round, branch: roundBranch(team, round), readFrom: from.replace(/^refs\/(heads|remotes)\//, ''), commit, path, text });
  }
  return out;
}

/** Announcements already handed to a session in this work tree: branch → announcement commit. */
export class HandedStore {
  private readonly file: string;
  private data: Record<string, string>;

  constructor(gitDir: string) {
    this.file = join(gitDir, 'coord-hooks', 'claude-handed.json');
    try {
      this.data = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>) : {};
    } catch {
      this.data = {};
    }
  }

  has(announcement: Pick<OpenAnnouncement, 'branch' | 'commit'>): boolean {
    return this.data[announcement.branch] === announcement.commit;
  }

  mark(announcement: Pick<OpenAnnouncement, 'branch' | 'commit'>): void {
    this.data[announcement.branch] = announcement.commit;
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.data, null, 1));
    renameSync(`${this.file}.tmp`, this.file);
  }
}
