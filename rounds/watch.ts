/**
 * Watching the remote for announcements (a team) or replies (the architect): a cheap `ls-remote` of the
 * round branches every interval; a branch whose tip moved is fetched, and its ANNOUNCEMENT.md (or
 * REPLY.md) is new when the commit that last changed it has not been seen. What was seen is kept in
 * <git dir>/coord-hooks/watch-seen.json, so `--exec` never runs twice for the same message commit,
 * across restarts.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { GitRepo } from '../git/repo';
import { announcementPath, parseRoundBranch, replyPath } from '../policy/round-names';

export type WatchKind = 'announcement' | 'reply';

export interface Message {
  kind: WatchKind;
  branch: string;
  team: string;
  round: number;
  /** The commit that last changed the file. */
  commit: string;
  path: string;
  text: string;
  /** Seen before (by a previous run or poll). */
  seen: boolean;
}

type Seen = Record<string, string>;

export class SeenStore {
  private readonly file: string;
  private data: Seen;

  constructor(gitDir: string) {
    this.file = join(gitDir, 'coord-hooks', 'watch-seen.json');
    try {
      this.data = existsSync(this.file) ? (JSON.parse(readFileSync(this.file, 'utf8')) as Seen) : {};
    } catch {
      this.data = {};
    }
  }

  has(message: Pick<Message, 'kind' | 'branch' | 'commit'>): boolean {
    return this.data[`${message.kind}:${message.branch}`] === message.commit;
  }

  mark(message: Pick<Message, 'kind' | 'branch' | 'commit'>): void {
    this.data[`${message.kind}:${message.branch}`] = message.commit;
    mkdirSync(join(this.file, '..'), { recursive: true });
    writeFileSync(`${this.file}.tmp`, JSON.stringify(this.data, null, 1));
    renameSync(`${this.file}.tmp`, this.file);
  }
}

/** Round branches on the remote matching the patterns (`refs/heads/fw/round-*`), by tip. */
export async function listRoundBranches(repo: GitRepo, remote: string, patterns: string[]): Promise<Map<string, string>> {
  const tips = new Map<string, string>();
  for (const [ref, oid] of await repo.lsRemote(remote, patterns, { heads: true })) {
    const branch = ref.slice('refs/heads/'.length);
    if (parseRoundBranch(branch)) tips.set(branch, oid);
  }
  return tips;
}

/** Fetches the branches into refs/remotes/<remote>/… (one fetch). */
export async function fetchBranches(repo: GitRepo, remote: string, branches: string[]): Promise<void> {
  if (branches.length === 0) return;
  await repo.run(['fetch', '-q', remote, ...branches.map((branch) => `+refs/heads/${branch}:refs/remotes/${remote}/${branch}`)]);
}

/** The message on a fetched round branch, or null when the branch has none. */
export async function readMessage(repo: GitRepo, remote: string, branch: string, kind: WatchKind, seen: SeenStore): Promise<Message | null> {
  const parsed = parseRoundBranch(branch);
  if (!parsed) return null;
  const { team, round } = parsed;
  const path = kind === 'announcement' ? announcementPath(round, team) : replyPath(round, team);
  const ref = `refs/remotes/${remote}/${branch}`;
  const { stdout } = await repo.run(['log', '-1', '--format=%H', ref, '--', path]);
  const commit = stdout.toString('utf8').trim();
  if (!commit) return null;
  const text = (await repo.objects().readBlobText(`${ref}:${path}`)) ?? '';
  const message = { kind, branch, team, round, commit, path, text, seen: false };
  return { ...message, seen: seen.has(message) };
}
