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

/**
 * One verdict as stored: [ok 1/0, tagger time, target, index into `texts`] where the text is the
 * signer when ok and the detail when not. A team's signer line repeats on every one of its tags, so it
 * is stored once: with 20,000 tags the file is about a third of one object per verdict, and a warm
 * `tally` parses it in a third of the time (docs/performance.md).
 */
type Row = [ok: 0 | 1, time: number, target: string, text: number];

interface CacheFile {
  version: 2;
  /** Signer and detail texts the rows point into. */
  texts: string[];
  /** signers.key → rowKey() → verdict. */
  sets: Record<string, Record<string, Row>>;
  /** `round-N/start` tag oid → the teams its `expect:` line names (null: no such line). */
  starts: Record<string, string[] | null>;
}

const VERSION = 2;
/** Entries of other signer sets kept beyond the current ones (old keys, other remotes). */
const KEEP_OTHER = 50000;

/**
 * `<tag oid>|<ref name>` within a signer set. The ref name is part of the key because a verdict depends
 * on it: the same tag object (or, for a lightweight tag, commit) under another ref name is a different verdict.
 */
export const rowKey = (tagOid: string, name: string) => `${tagOid}|${name}`;

function empty(): CacheFile {
  return { version: VERSION, texts: [], sets: {}, starts: {} };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function readCacheFile(path: string): Promise<CacheFile> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<CacheFile>;
    // Another version (an older coord-hooks wrote it) or a damaged shape: start again; it is only a cache.
    if (parsed?.version !== VERSION || !Array.isArray(parsed.texts) || !isObject(parsed.sets) || !isObject(parsed.starts)) return empty();
    return parsed as CacheFile;
  } catch {
    return empty();
  }
}

/** The row as a verdict, or undefined when it is not one (a damaged file never yields a verdict). */
function decode(row: unknown, texts: string[]): CachedVerdict | undefined {
  if (!Array.isArray(row) || row.length !== 4) return undefined;
  const [ok, time, target, index] = row as unknown[];
  const text = typeof index === 'number' ? texts[index] : undefined;
  if ((ok !== 0 && ok !== 1) || typeof time !== 'number' || typeof target !== 'string' || typeof text !== 'string') return undefined;
  return ok ? { ok: true, detail: '', time, target, signer: text } : { ok: false, detail: text, time, target };
}

export class VerifyCache {
  /** Changes not yet written (a counter, so that a save racing new entries keeps them dirty). */
  private changes = 0;
  /** Verdicts set by this process and not yet written: signers.key → rowKey → verdict. */
  private readonly fresh = new Map<string, Map<string, CachedVerdict>>();

  private constructor(readonly path: string, private data: CacheFile) {}

  /** The cache of the repository (shared by its worktrees). */
  static async open(repo: GitRepo): Promise<VerifyCache> {
    const path = join(await repo.commonDir(), 'coord-hooks', 'verify-cache.json');
    return new VerifyCache(path, await readCacheFile(path));
  }

  get(tagOid: string, signersKey: string, name: string): CachedVerdict | undefined {
    const key = rowKey(tagOid, name);
    const mine = this.fresh.get(signersKey)?.get(key);
    if (mine) return mine;
    const set = this.data.sets[signersKey];
    return isObject(set) && Object.hasOwn(set, key) ? decode(set[key], this.data.texts) : undefined;
  }

  set(tagOid: string, signersKey: string, name: string, verdict: CachedVerdict): void {
    let set = this.fresh.get(signersKey);
    if (!set) this.fresh.set(signersKey, set = new Map());
    set.set(rowKey(tagOid, name), verdict);
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
    const written: [string, [string, CachedVerdict][]][] = [...this.fresh].map(([signersKey, rows]) => [signersKey, [...rows]]);
    const merged = merge(await readCacheFile(this.path), this.data.starts, written);
    if (currentSignersKey) prune(merged, currentSignersKey);
    const tmp = `${this.path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await mkdir(join(this.path, '..'), { recursive: true });
      await writeFile(tmp, JSON.stringify(merged));
      await rename(tmp, this.path);
      for (const [signersKey, rows] of written) {
        const set = this.fresh.get(signersKey);
        for (const [key, verdict] of rows) if (set?.get(key) === verdict) set.delete(key);
        if (set?.size === 0) this.fresh.delete(signersKey);
      }
      this.data = merged;
      this.changes = Math.max(0, this.changes - changes);
    } catch {
      await rm(tmp, { force: true });
    }
  }
}

/** The file as it is on disk plus this process's start lists and verdicts, texts interned anew. */
function merge(onDisk: CacheFile, starts: CacheFile['starts'], written: [string, [string, CachedVerdict][]][]): CacheFile {
  const out: CacheFile = { version: VERSION, texts: [], sets: {}, starts: { ...onDisk.starts, ...starts } };
  const index = new Map<string, number>();
  const intern = (text: string) => {
    let at = index.get(text);
    if (at === undefined) { index.set(text, at = out.texts.length); out.texts.push(text); }
    return at;
  };
  const put = (signersKey: string, key: string, verdict: CachedVerdict) => {
    const set = out.sets[signersKey] ??= {};
    set[key] = [verdict.ok ? 1 : 0, verdict.time, verdict.target, intern(verdict.ok ? verdict.signer ?? '' : verdict.detail)];
  };
  for (const [signersKey, rows] of Object.entries(onDisk.sets)) {
    if (!isObject(rows)) continue;
    for (const [key, row] of Object.entries(rows)) {
      const verdict = decode(row, onDisk.texts);
      if (verdict) put(signersKey, key, verdict);
    }
  }
  for (const [signersKey, rows] of written) for (const [key, verdict] of rows) put(signersKey, key, verdict);
  return out;
}

/** Keeps every entry of the current signer set and at most KEEP_OTHER others (the first sets written go first). */
function prune(file: CacheFile, signersKey: string): void {
  let others = 0;
  for (const [key, rows] of Object.entries(file.sets)) if (key !== signersKey) others += Object.keys(rows).length;
  for (const key of Object.keys(file.sets)) {
    if (others <= KEEP_OTHER) break;
    if (key === signersKey) continue;
    const rows = file.sets[key];
    const names = Object.keys(rows);
    const drop = names.slice(0, Math.min(names.length, others - KEEP_OTHER));
    for (const name of drop) delete rows[name];
    others -= drop.length;
    if (Object.keys(rows).length === 0) delete file.sets[key];
  }
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
