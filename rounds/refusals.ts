/**
 * Pushes the server turned away (or let through unchecked), counted from its audit log for `status` and
 * `report`. A rejected push counts once, under the team that owns the ref it was rejected for: a team
 * branch's team, a done-tag's team (`round-N/done/<team>`), `architect` for the protected branch and
 * the start tags, and `unknown` for anything else (a branch outside every namespace, other tags). The
 * audit log's `owner` is a team, `architect` or a ref kind; kinds are never shown as teams.
 * Pushes refused because the protected branch's policy does not validate, pushes the gate failed on
 * (it fails closed) and pushes let through by the server's bypass setting are counted on lines of their own.
 */
import type { AuditRecord } from '../core/audit';
import { parseDoneTagRef } from '../policy/round-names';

export interface RefusalCount {
  count: number;
  /** The newest one's time (absent while count is 0), and what the log says of it. */
  last?: string;
  reason?: string;
}

/** The three lines besides the per-team counts, in the order they are shown. */
export const OTHER_REFUSALS = [
  { key: 'policyBroken', label: 'refused, policy broken', text: 'the policy on the protected branch does not validate' },
  { key: 'gateErrors', label: 'refused, gate error', text: 'the gate failed and failed closed' },
  { key: 'bypassed', label: 'bypassed, unchecked', text: 'the server setting coord-hooks.bypass let them through' },
] as const;

export type OtherRefusals = Pick<Refusals, typeof OTHER_REFUSALS[number]['key']>;

export interface Refusals {
  /** Rejected pushes per owning team, `architect` or `unknown`. */
  byTeam: Record<string, RefusalCount>;
  /** Rejected because the policy on the protected branch does not validate (`"policy": "broken"`). */
  policyBroken: RefusalCount;
  /** Refused because the gate failed (a crash, a timeout, a policy it could not load): it fails closed. */
  gateErrors: RefusalCount;
  /** Accepted unchecked: the server's coord-hooks.bypass setting was on. */
  bypassed: RefusalCount;
}

type Record_ = AuditRecord & { policy?: string };

/** The lane a ref belongs to, from the audit log's owner (a team, `architect`, or a ref kind). */
export function refOwner(ref: { ref: string; owner?: string }, teams: readonly string[]): string {
  if (ref.owner === 'done-tag') {
    const team = parseDoneTagRef(ref.ref)?.team;
    return team && teams.includes(team) ? team : 'unknown';
  }
  if (ref.owner === 'architect' || ref.owner === 'start-tag') return 'architect';
  return ref.owner && teams.includes(ref.owner) ? ref.owner : 'unknown';
}

/** The owner a rejected push counts under: that of the ref the first problem names, else of the first ref that has one. */
export function rejectionOwner(record: AuditRecord, teams: readonly string[]): string {
  const named = record.first?.map((problem) => problem.ref).find((ref) => ref && record.refs.some((entry) => entry.ref === ref));
  const refs = named ? record.refs.filter((entry) => entry.ref === named) : record.refs;
  return refs.map((entry) => refOwner(entry, teams)).find((owner) => owner !== 'unknown') ?? 'unknown';
}

/** One line for what the log says of a refused push. */
export function refusalReason(record: AuditRecord): string {
  const first = record.first?.[0];
  if (first) return `${first.path ? `${first.path}: ` : ''}${first.reason}`;
  if (record.message) return record.message;
  return record.event === 'bypassed' ? 'not checked: coord-hooks.bypass is on' : `${record.violations ?? 0} violation(s)`;
}

const add = (entry: RefusalCount, record: AuditRecord): RefusalCount => {
  const newer = entry.last === undefined || Date.parse(record.time) >= Date.parse(entry.last);
  return { count: entry.count + 1, last: newer ? record.time : entry.last, reason: newer ? refusalReason(record) : entry.reason };
};

/** Which line a record counts on: a team (or architect/unknown), one of the other three, or none (accepted, round-complete). */
export function refusalKind(record: AuditRecord): 'team' | 'policyBroken' | 'gateErrors' | 'bypassed' | null {
  if (record.event === 'rejected') return (record as Record_).policy === 'broken' ? 'policyBroken' : 'team';
  if (record.event === 'error') return 'gateErrors';
  return record.event === 'bypassed' ? 'bypassed' : null;
}

export function countRefusals(records: AuditRecord[], teams: readonly string[]): Refusals {
  const none = (): RefusalCount => ({ count: 0 });
  const out: Refusals = { byTeam: {}, policyBroken: none(), gateErrors: none(), bypassed: none() };
  for (const record of records) {
    const kind = refusalKind(record);
    if (kind === 'team') {
      const owner = rejectionOwner(record, teams);
      out.byTeam[owner] = add(out.byTeam[owner] ?? none(), record);
    } else if (kind) {
      out[kind] = add(out[kind], record);
    }
  }
  return out;
}
