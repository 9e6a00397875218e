/**
 * Judges one written path against the writer's scope. Pure except for reading symlink targets and
 * new CLAUDE.md contents, which the caller supplies through `readBlob`.
 */
import { posix } from 'path';
import { isPolicyFile } from '../policy/explain';
import { hasFrontMatter } from '../policy/front-matter-block';
import { announcementPath, replyPath } from '../policy/round-names';
import { pathspecSelector, toByteString } from '../policy/pathspec';
import type { Policy, Team } from '../policy/types';
import type { LinkReaders } from './links';

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
  /** The commit whose tree is the result of the write (symlinks resolve through it); none for staged writes. */
  root?: string;
}

export interface Violation {
  commit: string;
  path: string;
  team: string;
  reason: ViolationReason;
  /** Extra words for the message, e.g. a symlink's target. */
  detail?: string;
  /** Why, when the reason needs it (where a symlink really leads). */
  because?: string;
  /** Set by the gate: which ref update carried the commit. */
  ref?: string;
}

export const SYMLINK_MODE = '120000';
const isClaudeFile = (path: string) => path === 'CLAUDE.md' || path.endsWith('/CLAUDE.md');

/** The `commit` of writes that belong to a range's net change rather than to one commit. */
export const NET_CHANGE = 'net change';

const selectors = new WeakMap<Team, (bytes: string) => boolean>();

/** The team's write scope compiled once (pathspecSelector), for paths as byte strings. */
function scopeSelector(team: Team): (bytes: string) => boolean {
  let selector = selectors.get(team);
  if (!selector) selectors.set(team, selector = pathspecSelector(team.write.map((pattern) => pattern.spec)));
  return selector;
}

export function inWriteScope(team: Team, path: string): boolean {
  return scopeSelector(team)(toByteString(path));
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
  /** Tree readers for resolving symlinks through a commit's tree, loaded on first use (absent: lexical resolution, for staged writes). */
  links?: () => Promise<LinkReaders>;
}

const REGULAR = /^100(644|755)$/;
export const DELETED_MODE = '000000';

/**
 * The only exceptions to scopes, on a team's round branch `<team>/round-N`: the team writes (or
 * deletes) its REPLY.md; the architect (proved per commit) writes or deletes its ANNOUNCEMENT.md. Both
 * are regular files: a symlink or gitlink there is judged like any other path. For a range's net
 * change (no single commit: `check`, pre-push), both are allowed; the server judges every commit.
 */
async function roundException(context: JudgeContext, actor: Actor & { kind: 'team' }, write: Write): Promise<Violation | 'allowed' | null> {
  if (actor.round === undefined || !(REGULAR.test(write.mode) || write.mode === DELETED_MODE)) return null;
  if (write.path === replyPath(actor.round, actor.team.name)) return 'allowed';
  if (write.path !== announcementPath(actor.round, actor.team.name)) return null;
  if (write.commit === NET_CHANGE || (await context.byArchitect(write.commit))) return 'allowed';
  return { commit: write.commit, path: write.path, team: actor.team.name, reason: 'announcement' };
}

/** What judgeWrite needs to be asked (a blob or a proof is needed), as the fast verdict says. */
export const NEEDS_JUDGE_WRITE = 'judge-write';

/**
 * The verdict on a path (as git's bytes, latin1) and mode (a number) without reading any blob:
 * null (allowed), a violation reason, or NEEDS_JUDGE_WRITE for a CLAUDE.md, a symlink or a round file.
 */
export type FastJudge = (pathBytes: string, mode: number) => null | 'policy-file' | 'outside-scope' | typeof NEEDS_JUDGE_WRITE;

const SYMLINK_MODE_NUMBER = 0o120000;
const fastJudges = new WeakMap<Policy, WeakMap<Actor, FastJudge>>();

/**
 * The fast verdict for one actor, compiled once per policy and actor: pushes judge tens of thousands of
 * paths, so no object, promise or string is made per path unless the path is not simply allowed.
 */
export function fastJudge(policy: Policy, actor: Actor): FastJudge {
  let byActor = fastJudges.get(policy);
  if (!byActor) fastJudges.set(policy, byActor = new WeakMap());
  let judge = byActor.get(actor);
  if (judge) return judge;
  if (actor.kind === 'architect') {
    judge = () => null;
  } else {
    const inScope = scopeSelector(actor.team);
    const policyFiles = new Set(policy.policyFiles.map(toByteString));
    const signers = toByteString(policy.coord.signers);
    const roundDir = actor.round === undefined ? null : `rounds/${actor.round}/`;
    judge = (path, mode) => {
      if (mode === SYMLINK_MODE_NUMBER || isClaudeFile(path)) return NEEDS_JUDGE_WRITE;
      if (roundDir !== null && path.startsWith(roundDir)) return NEEDS_JUDGE_WRITE;
      // isPolicyPath without content: a CLAUDE.md never reaches here.
      if (policyFiles.has(path) || path === signers || path.startsWith('.coord/')) return 'policy-file';
      return inScope(path) ? null : 'outside-scope';
    };
  }
  byActor.set(actor, judge);
  return judge;
}

/**
 * The verdict without reading any blob, for the vast majority of writes; `undefined` when this write
 * needs judgeWrite (a CLAUDE.md, a symlink, a round file).
 */
export function judgeWriteFast(context: JudgeContext, actor: Actor, write: Write): Violation | null | undefined {
  const verdict = fastJudge(context.policy, actor)(toByteString(write.path), parseInt(write.mode, 8));
  if (verdict === NEEDS_JUDGE_WRITE) return undefined;
  if (verdict === null || actor.kind === 'architect') return null;
  return { commit: write.commit, path: write.path, team: actor.team.name, reason: verdict };
}

export async function judgeWrite(context: JudgeContext, actor: Actor, write: Write): Promise<Violation | null> {
  if (actor.kind === 'architect') return null;
  const { team } = actor;
  const content = isClaudeFile(write.path) && REGULAR.test(write.mode) ? await context.readBlob(write.oid) : null;
  // A round exception skips the scope check only: a policy file stays the architect's on any branch.
  if (isPolicyPath(context.policy, write.path, content)) return { commit: write.commit, path: write.path, team: team.name, reason: 'policy-file' };
  const exception = await roundException(context, actor, write);
  if (exception === 'allowed') return null;
  if (exception) return exception;
  if (!inWriteScope(team, write.path)) return { commit: write.commit, path: write.path, team: team.name, reason: 'outside-scope' };
  return write.mode === SYMLINK_MODE ? symlinkVerdict(context, team, write) : null;
}

async function symlinkVerdict(context: JudgeContext, team: Team, write: Write): Promise<Violation | null> {
  const base = { commit: write.commit, team: team.name, reason: 'symlink-escape' as const };
  if (!context.links || !write.root) {
    const target = (await context.readBlob(write.oid)) ?? '';
    const resolved = resolveSymlink(write.path, target);
    return resolved === null || resolved === '' || !inWriteScope(team, resolved) ? { ...base, path: write.path, detail: target } : null;
  }
  const inScope = (path: string) => inWriteScope(team, path);
  const [readers, { linkEscapes, linksOfScopeEscaping }] = await Promise.all([context.links(), import('./links')]);
  const raw = (await readers.readLink(write.oid)) ?? '';
  const reason = await linkEscapes(readers, inScope, write.root, write.path, raw);
  if (reason) return { ...base, path: write.path, detail: raw.toString(), because: reason };
  const other = await linksOfScopeEscaping(readers, team, inScope, write.root);
  return other ? { ...base, path: other.path, detail: other.target, because: `${other.reason}, once ${write.path} is a link` } : null;
}
