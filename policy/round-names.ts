/**
 * The names rounds and tasks live under, and their parsers: one place for each shape. Every
 * coordination message is a commit on the team's round branch; the files sit in a per-round, per-team
 * directory so that merging several teams' round branches into the protected branch never conflicts,
 * and the whole exchange stays on it afterwards.
 */

/** A round number as it may appear in a name: a positive integer of at most nine digits. */
const ROUND = '([1-9][0-9]{0,8})';
const ROUND_BRANCH = new RegExp(`^([^/]+)/round-${ROUND}$`);
const DONE_TAG_REF = new RegExp(`^refs/tags/round-${ROUND}/done/([^/]+)$`);
const START_TAG_REF = new RegExp(`^refs/tags/round-${ROUND}/start$`);
const ROUND_FILE = new RegExp(`^rounds/${ROUND}/([^/]+)/(ANNOUNCEMENT|REPLY)\\.md$`);

export const roundBranch = (team: string, round: number) => `${team}/round-${round}`;
export const announcementPath = (round: number, team: string) => `rounds/${round}/${team}/ANNOUNCEMENT.md`;
export const replyPath = (round: number, team: string) => `rounds/${round}/${team}/REPLY.md`;
export const doneTagName = (round: number, team: string) => `round-${round}/done/${team}`;
export const startTagName = (round: number) => `round-${round}/start`;

/** `<team>/round-<N>` (a branch name without refs/heads/) → its team and round; null for any other name. */
export function parseRoundBranch(branch: string): { team: string; round: number } | null {
  const match = ROUND_BRANCH.exec(branch);
  return match ? { team: match[1], round: Number(match[2]) } : null;
}

/** `<team>/round-<N>` → N, or null when the branch is not a round branch of that team. */
export function roundOfBranch(branch: string, team: string): number | null {
  const parsed = parseRoundBranch(branch);
  return parsed && parsed.team === team ? parsed.round : null;
}

/** `refs/tags/round-<N>/done/<team>` → round and team; null for any other ref. */
export function parseDoneTagRef(ref: string): { round: number; team: string } | null {
  const match = DONE_TAG_REF.exec(ref);
  return match ? { round: Number(match[1]), team: match[2] } : null;
}

/** `refs/tags/round-<N>/start` → N; null for any other ref. */
export function parseStartTagRef(ref: string): number | null {
  const match = START_TAG_REF.exec(ref);
  return match ? Number(match[1]) : null;
}

/** `rounds/<N>/<team>/ANNOUNCEMENT.md` or `REPLY.md` → round, team and which file; null for any other path. */
export function parseRoundFile(path: string): { round: number; team: string; file: 'ANNOUNCEMENT' | 'REPLY' } | null {
  const match = ROUND_FILE.exec(path);
  return match ? { round: Number(match[1]), team: match[2], file: match[3] as 'ANNOUNCEMENT' | 'REPLY' } : null;
}
