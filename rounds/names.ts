/**
 * The names rounds and tasks live under. Every coordination message is a commit on the team's round
 * branch; the files sit in a per-round, per-team directory so that merging several teams' round
 * branches into the protected branch never conflicts, and the whole exchange stays on it afterwards.
 */

export const roundBranch = (team: string, round: number) => `${team}/round-${round}`;
export const announcementPath = (round: number, team: string) => `rounds/${round}/${team}/ANNOUNCEMENT.md`;
export const replyPath = (round: number, team: string) => `rounds/${round}/${team}/REPLY.md`;

/** `<team>/round-<N>` → N, or null when the branch is not a round branch of that team. */
export function roundOfBranch(branch: string, team: string): number | null {
  const match = /^([^/]+)\/round-([1-9][0-9]{0,8})$/.exec(branch);
  return match && match[1] === team ? Number(match[2]) : null;
}
