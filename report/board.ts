/**
 * The report's data: a board (rounds × teams, one cell per team and round) and a timeline of what
 * happened (announcements, replies, done tags with their signer, pushes the gate rejected, round
 * completions). Built on rounds/status.ts (roundStatus); commit subjects come from one extra `git log`,
 * rejected pushes and completions from the server's audit log (on the server, or with an explicit path).
 */
import { readFileSync, statSync } from 'fs';
import { auditPath, readAudit, type AuditRecord } from '../core/audit';
import type { GitRepo } from '../git/repo';
import type { StatusReport } from '../rounds/status';
import { countRefusals, refOwner, refusalKind, refusalReason, rejectionOwner, type OtherRefusals } from '../rounds/refusals';

export type CellState = 'done' | 'replied' | 'announced' | 'pending' | 'invalid' | 'none';

export interface CommitRef {
  commit: string;
  time: string;
  subject?: string;
}

export interface BoardCell {
  state: CellState;
  /** The round waits for this team (its start tag's `expect:` line, or every team of the policy). */
  expected: boolean;
  announced?: CommitRef;
  replied?: CommitRef;
  /** signer: the principal whose key verified the tag; verified: what the verifier said (key, fingerprint). */
  done?: { signer?: string; verified?: string; time?: string };
  /** invalid: why the done tag does not verify; pending: a note. */
  detail?: string;
}

export interface BoardRound {
  round: number;
  complete: boolean;
  expected: string[];
  cells: Record<string, BoardCell>;
}

export type EventKind = 'announced' | 'replied' | 'done' | 'invalid' | 'rejected' | 'bypassed' | 'round-complete';

export interface TimelineEvent {
  time: string;
  kind: EventKind;
  /** The lane: a team, or null for events of the whole round (completion). */
  team: string | null;
  round?: number;
  /** One line saying what happened (a commit subject, a signer, a rejection reason). */
  text: string;
  commit?: string;
  signer?: string;
  /** More for whoever wants it (the verifier's note on a signature). */
  detail?: string;
}

export interface Board {
  generated: string;
  /** Where the policy and keys came from (a ref). */
  source: string;
  /** Columns: the policy's teams, then any other team seen in a round. */
  teams: string[];
  rounds: BoardRound[];
  lastActivity: Record<string, string>;
  /** Rejected pushes per owning team, `architect` or `unknown` (rounds/refusals.ts); absent when no audit log was read. */
  rejected?: Record<string, { count: number; last?: string; reason?: string }>;
  /** Pushes refused for a broken policy or a gate error, and pushes the bypass let through; absent when no audit log was read. */
  refused?: OtherRefusals;
  /** The audit log that was read, if any. */
  audit?: string;
  /** Oldest first. */
  timeline: TimelineEvent[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** "2024-05-01T12:03:04.123Z" → "May 1 12:03:04" (UTC); `seconds: false` → "May 1 12:03". */
export function shortTime(iso?: string, seconds = true): string {
  const match = iso ? /^\d{4}-(\d\d)-(\d\d)T(\d\d:\d\d)(:\d\d)/.exec(iso) : null;
  if (!match) return iso ?? '';
  return `${MONTHS[Number(match[1]) - 1] ?? match[1]} ${Number(match[2])} ${match[3]}${seconds ? match[4] : ''}`;
}

/** Reads an audit log: a file (audit.jsonl), or a git directory holding coord-hooks/audit.jsonl (none yet: empty). */
export function loadAudit(path: string): { file: string; records: AuditRecord[] } {
  if (statSync(path).isDirectory()) return { file: auditPath(path), records: readAudit(path) };
  const records = readFileSync(path, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
    try { return [JSON.parse(line) as AuditRecord]; } catch { return []; }
  });
  return { file: path, records };
}

function cellState(status: StatusReport['rounds'][number]['teams'][string] | undefined): CellState {
  if (!status) return 'none';
  if (status.done === 'done') return 'done';
  if (status.done === 'invalid') return 'invalid';
  if (status.replied) return 'replied';
  return status.announced ? 'announced' : 'pending';
}

/** Subjects of the given commits, in one `git log --no-walk`. */
async function subjects(repo: GitRepo, commits: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const unique = [...new Set(commits)];
  if (unique.length === 0) return out;
  const { stdout } = await repo.run(['log', '--no-walk=unsorted', '--format=%H%x00%s%x00', ...unique]);
  const fields = stdout.toString('utf8').split('\0');
  for (let index = 0; index + 1 < fields.length; index += 2) out.set(fields[index].trim(), fields[index + 1]);
  return out;
}

/** The tally's "fw (Good \"git\" signature for fw with ED25519 key SHA256:…)" → principal and verifier note. */
export function splitSigner(signer?: string): { signer?: string; verified?: string } {
  const match = signer ? /^(\S+) \((.*)\)$/s.exec(signer) : null;
  return match ? { signer: match[1], verified: match[2] } : { signer };
}

const roundOfRef = (ref: string) => {
  const match = /^refs\/(?:heads\/[^/]+\/round-|tags\/round-)([1-9][0-9]*)(?:\/|$)/.exec(ref);
  return match ? Number(match[1]) : undefined;
};

const WHAT = { team: 'rejected', policyBroken: 'refused (the policy on the protected branch is broken)', gateErrors: 'refused (gate error)', bypassed: 'accepted UNCHECKED (coord-hooks.bypass)' } as const;

function auditEvents(records: AuditRecord[], teams: string[]): { events: TimelineEvent[] } & Pick<Board, 'rejected' | 'refused'> {
  const events: TimelineEvent[] = [];
  const { byTeam: rejected, ...refused } = countRefusals(records, teams);
  for (const record of records) {
    const kind = refusalKind(record);
    if (kind) {
      // The lane: the owning team of a rejected push; for the others, the first ref's owner (a team, else none shown).
      const owner = kind === 'team' ? rejectionOwner(record, teams) : record.refs.map((ref) => refOwner(ref, teams)).find((name) => name !== 'unknown') ?? 'unknown';
      const refs = record.refs.map((ref) => ref.ref.replace(/^refs\/(heads|tags)\//, '')).join(', ');
      const by = record.pusher ? ` by ${record.pusher}` : '';
      events.push({
        time: record.time, kind: kind === 'bypassed' ? 'bypassed' : 'rejected', team: owner, round: record.refs.map((ref) => roundOfRef(ref.ref)).find(Boolean),
        text: `push to ${refs}${by} ${WHAT[kind]}: ${refusalReason(record)}`, commit: record.first?.[0]?.commit,
      });
    } else if (record.event === 'round-complete' && record.round !== undefined) {
      events.push({ time: record.time, kind: 'round-complete', team: null, round: record.round, text: `round ${record.round} complete: ${(record.teams ?? []).join(', ')}` });
    }
  }
  return { events, rejected, refused };
}

/** The board from a status report (rounds/status.ts), the audit records (or null: none read) and the policy's teams. */
export async function buildBoard(repo: GitRepo, status: StatusReport, options: { teams: string[]; audit: AuditRecord[] | null; auditSource?: string; now?: Date }): Promise<Board> {
  const teams = [...options.teams];
  for (const round of status.rounds) for (const team of Object.keys(round.teams)) if (!teams.includes(team)) teams.push(team);
  const commits = status.rounds.flatMap((round) => Object.values(round.teams).flatMap((cell) => [cell.announced?.commit, cell.replied?.commit].filter((c): c is string => !!c)));
  const subject = await subjects(repo, commits);
  const withSubject = (ref?: { commit: string; time: string }): CommitRef | undefined => ref && { ...ref, subject: subject.get(ref.commit) };

  const timeline: TimelineEvent[] = [];
  const rounds: BoardRound[] = status.rounds.map((round) => {
    const cells: Record<string, BoardCell> = {};
    for (const team of teams) {
      const entry = round.teams[team];
      const cell: BoardCell = { state: cellState(entry), expected: round.expected.includes(team) };
      if (entry) {
        cell.announced = withSubject(entry.announced);
        cell.replied = withSubject(entry.replied);
        if (entry.done !== 'pending') cell.done = { ...splitSigner(entry.signer), time: entry.doneTime };
        if (entry.detail) cell.detail = entry.detail;
        const at = { team, round: round.round };
        if (cell.announced) timeline.push({ ...at, time: cell.announced.time, kind: 'announced', text: cell.announced.subject ?? `announced round ${round.round}`, commit: cell.announced.commit });
        if (cell.replied) timeline.push({ ...at, time: cell.replied.time, kind: 'replied', text: cell.replied.subject ?? `replied to round ${round.round}`, commit: cell.replied.commit });
        if (entry.done === 'done' && entry.doneTime) timeline.push({ ...at, time: entry.doneTime, kind: 'done', text: `round-${round.round}/done/${team} signed by ${cell.done?.signer ?? '?'}`, signer: cell.done?.signer, detail: cell.done?.verified });
        if (entry.done === 'invalid' && entry.doneTime) timeline.push({ ...at, time: entry.doneTime, kind: 'invalid', text: `round-${round.round}/done/${team} does not verify: ${entry.detail ?? ''}` });
      }
      cells[team] = cell;
    }
    return { round: round.round, complete: round.complete, expected: round.expected, cells };
  });

  const board: Board = { generated: (options.now ?? new Date()).toISOString(), source: status.source, teams, rounds, lastActivity: status.lastActivity, timeline };
  const logged = new Set<number>();
  if (options.audit) {
    const { events, rejected, refused } = auditEvents(options.audit, options.teams);
    for (const event of events) if (event.kind === 'round-complete') logged.add(event.round!);
    timeline.push(...events);
    board.rejected = rejected;
    board.refused = refused;
    if (options.auditSource) board.audit = options.auditSource;
  }
  // Without the audit log's word, a complete round completed when its last expected team signed.
  for (const round of rounds) {
    if (!round.complete || logged.has(round.round)) continue;
    const times = round.expected.map((team) => round.cells[team]?.done?.time).filter((t): t is string => !!t);
    if (times.length) timeline.push({ time: times.sort((a, b) => Date.parse(a) - Date.parse(b)).at(-1)!, kind: 'round-complete', team: null, round: round.round, text: `round ${round.round} complete: ${round.expected.join(', ')}` });
  }
  // git times have whole seconds, the audit log's milliseconds: within one second, the usual order of a round.
  const order: EventKind[] = ['announced', 'rejected', 'bypassed', 'replied', 'done', 'invalid', 'round-complete'];
  const second = (event: TimelineEvent) => Math.floor((Date.parse(event.time) || 0) / 1000);
  timeline.sort((a, b) => second(a) - second(b) || order.indexOf(a.kind) - order.indexOf(b.kind));
  return board;
}
