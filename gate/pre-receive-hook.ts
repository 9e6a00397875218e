/**
 * The server hook. Fails closed: a bad policy, a crash or a timeout rejects the push with a message
 * that says what and how to fix it. The only bypass is a server-side setting, and it is logged.
 */
import { join } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import { readAll } from '../core/stream';
import type { CommandIO } from '../core/io';
import { GitRepo } from '../git/repo';
import { appendAudit } from '../core/audit';
import { formatViolations, shownCommits } from './messages';
import { judgePush, parseUpdates, type PushVerdict } from './push';
import type { RefUpdate } from './ref-rules';
import { PolicyBrokenError } from './policy-recovery';
import { readServerSettings, type ServerSettings } from './server-settings';

function withTimeout<T>(promise: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoordError(`the gate took longer than ${seconds}s`, {
      hint: 'an administrator can raise `git config coord-hooks.timeout SECONDS` on the server',
    })), seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function rejectionText(verdict: PushVerdict, subjects: Map<string, string>, prefix: string): string {
  const count = verdict.rejections.length + verdict.violations.length;
  const lines = [`${prefix}coord-hooks: push rejected: ${count} problem${count === 1 ? '' : 's'} (nothing was accepted: a push lands whole or not at all)`];
  for (const rejection of verdict.rejections) {
    lines.push(prefixed(`  ${rejection.ref}: ${rejection.message}`, prefix));
    lines.push(prefixed(`      fix: ${rejection.fix}`, prefix));
  }
  if (verdict.violations.length) lines.push(...formatViolations(verdict.policy, verdict.violations, { subjects, prefix }));
  return lines.join('\n') + '\n';
}

/** Every line of `text` with the host's message prefix (GitLab shows only lines that carry it). */
function prefixed(text: string, prefix: string): string {
  return text.split('\n').map((line) => prefix + line).join('\n');
}

function refsForAudit(updates: RefUpdate[], owners: Record<string, string> = {}) {
  return updates.map((update) => ({ ...update, owner: owners[update.ref] }));
}

export async function runPreReceive(_args: string[], io: CommandIO): Promise<number> {
  const repo = new GitRepo(io.cwd, io.env);
  let settings: ServerSettings | null = null;
  let updates: RefUpdate[] = [];
  try {
    settings = await readServerSettings(repo);
    updates = parseUpdates(await readAll(io.stdin));
    const prefix = settings.prefix;
    if (settings.bypass) {
      io.err(`${prefix}coord-hooks: WARNING: the gate is bypassed by the server setting coord-hooks.bypass; this push is not checked (logged)\n`);
      appendAudit(settings.gitDir, { time: new Date().toISOString(), event: 'bypassed', pusher: null, refs: refsForAudit(updates) }, io.err);
      return 0;
    }
    const verdict = await withTimeout(judgePush(repo, updates, io.env, settings.policyBranch, { cacheDir: settings.gitDir, ledgerDir: join(settings.gitDir, 'coord-hooks'), gitChecksObjects: settings.gitChecksObjects, pusherVariable: settings.pusherVariable }), settings.timeoutSeconds);
    if (verdict.ok) return 0;
    const subjects = await repo.subjects(shownCommits(verdict.violations));
    io.err(rejectionText(verdict, subjects, prefix));
    appendAudit(settings.gitDir, {
      time: new Date().toISOString(), event: 'rejected', pusher: verdict.pusher?.name ?? null, refs: refsForAudit(updates, verdict.owners),
      violations: verdict.violations.length, rejections: verdict.rejections.length,
      first: [...verdict.rejections.map((rejection) => ({ ref: rejection.ref, reason: rejection.message })),
        ...verdict.violations.map((violation) => ({ ref: violation.ref, commit: violation.commit, path: violation.path, reason: violation.reason }))].slice(0, 5),
    }, io.err);
    return 1;
  } catch (error) {
    const prefix = settings?.prefix ?? '';
    const known = error instanceof CoordError;
    io.err(prefixed(`coord-hooks: push rejected: ${known ? errorMessage(error) : `internal error in the gate: ${errorMessage(error)}`}`, prefix) + '\n');
    io.err(prefixed(`  fix: ${known && error.hint ? error.hint : 'report this to the repository administrator; the gate fails closed, so nothing was accepted'}`, prefix) + '\n');
    if (!settings) return 1;
    const time = new Date().toISOString();
    if (error instanceof PolicyBrokenError) {
      // A refusal, not a crash: the policy on the branch does not validate (gate/policy-recovery.ts).
      appendAudit(settings.gitDir, { time, event: 'rejected', policy: 'broken', pusher: null, refs: refsForAudit(updates), violations: 0, rejections: updates.length, message: errorMessage(error) }, io.err);
    } else {
      appendAudit(settings.gitDir, { time, event: 'error', pusher: null, refs: refsForAudit(updates), message: errorMessage(error) }, io.err);
    }
    return 1;
  } finally {
    repo.close();
  }
}
