/**
 * Judges one written path against the writer's scope. Pure except for reading symlink targets and
 * new CLAUDE.md contents, which the caller supplies through `readBlob`.
 */
import { posix } from 'path';
import { isPolicyFile } from '../policy/explain';
import { hasFrontMatter } from '../policy/front-matter-block';
import { announcementPath, replyPath } from '../policy/round-names';
import { matchPathspecs } from '../policy/pathspec';
import type { Policy, Team } from '../policy/types';

/** Who a write is judged for. `round` is set when the team's ref is its round branch `<team>/round-N`. */
export type Actor = { kind: 'team'; team: Team; round?: number } | { kind: 'architect'; name: string };

export type ViolationReason = 'outside-scope' | 'policy-file' | 'symlink-escape' | 'announcement';

export interface Write {
  /** Commit that writes it, or a label such as "net change" for a range's net diff. */
  commit: string;
  path: string;
  /** Mode after the write ("000000" when deleted). */
  mode: string;
  /** Blob id after the write. */
  oid: string;
}

export interface Violation {
  commit: string;
  path: string;
  team: string;
  reason: ViolationReason;
  /** Extra words for the message, e.g. a symlink's target. */
  detail?: string;
  /** Set by the gate: which ref update carried the commit. */
  ref?: string;
}

export const SYMLINK_MODE = '120000';
const isClaudeFile = (path: string) => path === 'CLAUDE.md' || path.endsWith('/CLAUDE.md');

/** The `commit` of writes that belong to a range's net change rather than to one commit. */
export const NET_CHANGE = 'net change';

export function inWriteScope(team: Team, path: string): boolean {
  return matchPathspecs(team.write.map((pattern) => pattern.spec), path).matched;
}

/** True when the path is (or would become) a policy file: architect-only whatever a team's patterns say. */
export function isPolicyPath(policy: Policy, path: string, newContent: string | null): boolean {
  if (isPolicyFile(policy, path)) return true;
  return isClaudeFile(path) && newContent !== null && hasFrontMatter(newContent);
}

/** Where a symlink at `path` with target `target` points, repository-relative; null when outside the repository. */
export function resolveSymlink(path: string, target: string): string | null {
  if (target.startsWith('/')) return null;
  const joined = posix.normalize(posix.join(posix.dirname(path), target));
  if (joined === '..' || joined.startsWith('../')) return null;
  return joined === '.' ? '' : joined.replace(/\/$/, '');
}

export interface JudgeContext {
  policy: Policy;
  readBlob: (oid: string) => Promise<string | null>;
  /** Whether a commit provably comes from the architect (signature, or host identity in pusher mode). */
  byArchitect: (commit: string) => Promise<boolean>;
}

/**
 * The only exceptions to scopes, on a team's round branch `<team>/round-N`: the team writes its
 * REPLY.md; the architect (proved per commit) writes its ANNOUNCEMENT.md. For a net change (no single
 * commit), both are allowed: every commit that brought them was judged on its own.
 */
async function roundException(context: JudgeContext, actor: Actor & { kind: 'team' }, write: Write): Promise<Violation | 'allowed' | null> {
  if (actor.round === undefined) return null;
  if (write.path === replyPath(actor.round, actor.team.name)) return 'allowed';
  if (write.path !== announcementPath(actor.round, actor.team.name)) return null;
  if (write.commit === NET_CHANGE || (await context.byArchitect(write.commit))) return 'allowed';
  return { commit: write.commit, path: write.path, team: actor.team.name, reason: 'announcement' };
}

/**
 * The verdict without reading any blob, for the vast majority of writes; `undefined` when this write
 * needs judgeWrite (a CLAUDE.md, a symlink, a round file). Pushes judge tens of thousands of paths:
 * no promise per path.
 */
export function judgeWriteFast(context: JudgeContext, actor: Actor, write: Write): Violation | null | undefined {
  if (actor.kind === 'architect') return null;
  if (write.mode === SYMLINK_MODE || isClaudeFile(write.path)) return undefined;
  if (actor.round !== undefined && write.path.startsWith(`rounds/${actor.round}/`)) return undefined;
  return scopeVerdict(context.policy, actor.team, write, null);
}

/** The checks every write gets once its content is known (`newContent`: a CLAUDE.md's new text): policy file, then scope. */
function scopeVerdict(policy: Policy, team: Team, write: Write, newContent: string | null): Violation | null {
  const base = { commit: write.commit, path: write.path, team: team.name };
  if (isPolicyPath(policy, write.path, newContent)) return { ...base, reason: 'policy-file' };
  if (!inWriteScope(team, write.path)) return { ...base, reason: 'outside-scope' };
  return null;
}

export async function judgeWrite(context: JudgeContext, actor: Actor, write: Write): Promise<Violation | null> {
  if (actor.kind === 'architect') return null;
  const { team } = actor;
  const exception = await roundException(context, actor, write);
  if (exception === 'allowed') return null;
  if (exception) return exception;
  const content = isClaudeFile(write.path) && write.mode.startsWith('100') ? await context.readBlob(write.oid) : null;
  const verdict = scopeVerdict(context.policy, team, write, content);
  if (verdict || write.mode !== SYMLINK_MODE) return verdict;
  const target = (await context.readBlob(write.oid)) ?? '';
  const resolved = resolveSymlink(write.path, target);
  if (resolved === null || resolved === '' || !inWriteScope(team, resolved)) {
    return { commit: write.commit, path: write.path, team: team.name, reason: 'symlink-escape', detail: target };
  }
  return null;
}
