/**
 * The audit log: one JSON line per verdict in <git dir>/coord-hooks/audit.jsonl. Writing it never
 * breaks a push: a failure (disk full, permissions) is said on stderr and the push goes on.
 */
import { appendFileSync, mkdirSync, readFileSync, existsSync } from 'fs';
import { join } from 'path';

export interface AuditRecord {
  time: string;
  event: 'rejected' | 'accepted' | 'bypassed' | 'round-complete' | 'error';
  pusher: string | null;
  refs: { ref: string; old: string; new: string; owner?: string }[];
  violations?: number;
  rejections?: number;
  first?: { ref?: string; commit?: string; path?: string; reason: string }[];
  message?: string;
  /** 'broken': refused because the policy on the protected branch does not validate. */
  policy?: 'broken';
  round?: number;
  teams?: string[];
}

export function auditPath(gitDir: string): string {
  return join(gitDir, 'coord-hooks', 'audit.jsonl');
}

export function appendAudit(gitDir: string, record: AuditRecord, warn: (text: string) => void): void {
  try {
    mkdirSync(join(gitDir, 'coord-hooks'), { recursive: true });
    appendFileSync(auditPath(gitDir), JSON.stringify(record) + '\n');
  } catch (error) {
    warn(`coord-hooks: warning: could not write the audit log ${auditPath(gitDir)}: ${String(error)}\n`);
  }
}

export function readAudit(gitDir: string): AuditRecord[] {
  const path = auditPath(gitDir);
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter(Boolean).flatMap((line) => {
    try { return [JSON.parse(line) as AuditRecord]; } catch { return []; }
  });
}
