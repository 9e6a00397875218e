/**
 * Done-tag verdicts cached by tag object id and signer set: `<git common dir>/coord-hooks/verify-cache.json`.
 * A tag object never changes, and any key change on the protected branch changes `signers.key`, so an
 * entry never needs invalidating; a corrupt or unreadable file is ignored and rebuilt. Writes are atomic
 * (temporary file + rename) and merge with what another process wrote meanwhile.
 *
 * Entries are made while the key was valid: a key that expires later (`valid-before`) does not turn an
 * already verified tag invalid, a key removed from the signers file does (the signer set changed).
 */
import { mkdir, readFile, rename, rm, writeFile } from 'fs/promises';
import { join } from 'path';
import type { GitRepo } from '../git/repo';
import type { Signers } from '../trust/signers';
import { doneTagName } from '../policy/round-names';
import { verifyDoneTag } from '../trust/verify';

export interface CachedVerdict {
  ok: boolean;
  /** Why not, when not ok. */
  detail: string;
  /** Principal and key that verified, when ok. */
  signer?: string;
  /** Tagger time, seconds since the epoch (0 when unknown). */
  time: number;
  /** The commit the tag points at (the object itself for a lightweight tag). */
  target: string;
}

interface CacheFile {
  version: 1;
  /** cacheKey() → verdict. */
  verdicts: Record<string, CachedVerdict>;
  /** `round-N/start` tag oid → the teams its `expect:` line names (null: no such line). */
  starts: Record<string, string[] | null>;
}

const VERSION = 1;
/** Entries of other signer sets kept beyond the current ones (old keys, other remotes). */
const KEEP_OTHER = 50000;

/**
 * `<tag oid>|<signers.key>|<ref name>`. The ref name is part of the key because a verdict depends on it:
 * the same tag object (or, for a lightweight tag, commit) under another ref name is a different verdict.
 */
export const cacheKey = (tagOid: string, signersKey: string, name: string) => `${tagOid}|${signersKey}|${name}`;

function empty(): CacheFile {
  return { version: VERSION, verdicts: {}, starts: {} };
}

async function readCacheFile(path: string): Promise<CacheFile> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<CacheFile>;
    if (parsed?.version !== VERSION || typeof parsed.verdicts !== 'object' || parsed.verdicts === null
      || typeof parsed.starts !== 'object' || parsed.starts === null) return empty();
    return parsed as CacheFile;
  } catch {
    return empty();
  }
}

export class VerifyCache {
  /** Changes not yet written (a counter, so that a save racing new entries keeps them dirty). */
  private changes = 0;
  private readonly fresh = new Set<string>();

  private constructor(readonly path: string, private data: CacheFile) {}

  /** The cache of the repository (shared by its worktrees). */
  static async open(repo: GitRepo): Promise<VerifyCache> {
    const path = join(await repo.commonDir(), 'coord-hooks', 'verify-cache.json');
    return new VerifyCache(path, await readCacheFile(path));
  }

  get(tagOid: string, signersKey: string, name: string): CachedVerdict | undefined {
    return this.data.verdicts[cacheKey(tagOid, signersKey, name)];
  }

  set(tagOid: string, signersKey: string, name: string, verdict: CachedVerdict): void {
    const key = cacheKey(tagOid, signersKey, name);
    this.data.verdicts[key] = verdict;
    this.fresh.add(key);
    this.changes++;
  }

  getStart(tagOid: string): string[] | null | undefined {
    return this.data.starts[tagOid];
  }

  setStart(tagOid: string, teams: string[] | null): void {
    this.data.starts[tagOid] = teams;
    this.changes++;
  }

  /** Writes new entries, merged with the file as it is now; a failure to write only costs speed. */
  async save(currentSignersKey?: string): Promise<void> {
    if (this.changes === 0) return;
    const changes = this.changes;
    const written = [...this.fresh];
    const onDisk = await readCacheFile(this.path);
    const merged: CacheFile = { version: VERSION, verdicts: { ...onDisk.verdicts }, starts: { ...onDisk.starts, ...this.data.starts } };
    for (const key of written) merged.verdicts[key] = this.data.verdicts[key];
    if (currentSignersKey) prune(merged, currentSignersKey);
    const tmp = `${this.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(join(this.path, '..'), { recursive: true });
      await writeFile(tmp, JSON.stringify(merged));
      await rename(tmp, this.path);
      for (const key of written) this.fresh.delete(key);
      this.changes = Math.max(0, this.changes - changes);
    } catch {
      await rm(tmp, { force: true });
    }
  }
}

/** Keeps every entry of the current signer set and at most KEEP_OTHER others. */
function prune(file: CacheFile, signersKey: string): void {
  const infix = `|${signersKey}|`;
  const others = Object.keys(file.verdicts).filter((key) => !key.includes(infix));
  for (const key of others.slice(0, Math.max(0, others.length - KEEP_OTHER))) delete file.verdicts[key];
}

export interface TagToVerify {
  /** Object id the ref points at (a tag object, or a commit for a lightweight tag). */
  oid: string;
  round: number;
  team: string;
}

export interface VerifyStats {
  /** Verdicts taken from the cache. */
  cached: number;
  /** Tags whose objects were read and verified. */
  verified: number;
}

/** A long cold run saves what it has verified this often (ms), so that an interruption loses little. */
const SAVE_EVERY_MS = 5000;
/** Tags verified at once: signatures are checked in-process, so this only keeps object reads in flight. */
const PARALLEL = 64;

/** Failures that say nothing about the tag itself are not cached. */
const TRANSIENT = /^(cannot run|object [0-9a-f]+ not found)|cannot run (ssh-keygen|gpg)/;
export const isTransient = (detail: string) => TRANSIENT.test(detail);

/**
 * Verdicts for `tags`, keyed by ref name (`round-N/done/T`; two refs may share an object): cached ones without touching git, the others read through the
 * repository's cat-file batch and verified (in-process; ssh-keygen only for key types it alone handles), then cached.
 */
export async function verifyTags(repo: GitRepo, tags: TagToVerify[], signers: Signers, cache: VerifyCache, env: NodeJS.ProcessEnv,
  stats: VerifyStats = { cached: 0, verified: 0 }): Promise<Map<string, CachedVerdict>> {
  const out = new Map<string, CachedVerdict>();
  const todo: TagToVerify[] = [];
  for (const tag of tags) {
    const name = doneTagName(tag.round, tag.team);
    const hit = cache.get(tag.oid, signers.key, name);
    if (hit) { out.set(name, hit); stats.cached++; } else todo.push(tag);
  }
  let next = 0;
  let saved = Date.now();
  const worker = async () => {
    while (next < todo.length) {
      const tag = todo[next++];
      const done = await verifyDoneTag(repo, tag.oid, tag.round, tag.team, signers, env);
      const verdict: CachedVerdict = { ok: done.ok, detail: done.detail, time: done.tag?.time ?? 0, target: done.tag?.object ?? tag.oid };
      if (done.signer) verdict.signer = done.signer;
      stats.verified++;
      const name = doneTagName(tag.round, tag.team);
      out.set(name, verdict);
      if (!isTransient(done.detail)) cache.set(tag.oid, signers.key, name, verdict);
      // A long cold run keeps what it has verified even if it is interrupted.
      if (Date.now() - saved >= SAVE_EVERY_MS) {
        saved = Date.now();
        await cache.save(signers.key);
      }
    }
  };
  const parallel = Math.min(todo.length, PARALLEL);
  await Promise.all(Array.from({ length: parallel }, worker));
  return out;
}
