/**
 * The ledger of push-certificate nonces already used in one repository, so that a certificate counts
 * once. One file, `<ledgerDir>/push-nonces`, one line per nonce: `<unix seconds when recorded> <nonce>`.
 * Check and record happen under a lock file (`push-nonces.lock`, created exclusively, taken over when
 * older than 30 s), and the new ledger replaces the old one by rename: concurrent pushes never both
 * claim a nonce, and a reader never sees half a file. Entries older than 24 hours are dropped on
 * every write; certificates whose nonce is that old are refused before they get here.
 */
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'fs/promises';
import { join } from 'path';

/** How long a nonce stays in the ledger, and the oldest nonce a certificate may carry. */
export const NONCE_RETENTION_SECONDS = 24 * 60 * 60;
export const LEDGER_FILE = 'push-nonces';

const LOCK_STALE_MS = 30_000;
const LOCK_WAIT_MS = 10_000;

export type NonceClaim = { claimed: true } | { claimed: false; recordedAt: number };

async function withLock<T>(lockPath: string, body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(lockPath).then((info) => Date.now() - info.mtimeMs, () => 0);
      if (age > LOCK_STALE_MS) { await unlink(lockPath).catch(() => undefined); continue; }
      if (Date.now() > deadline) throw new Error(`the nonce ledger is locked (${lockPath}); remove the lock file if no push is running`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  try {
    return await body();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

function parseLedger(text: string): { recordedAt: number; nonce: string }[] {
  const entries = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\S+)$/.exec(line);
    if (match) entries.push({ recordedAt: Number(match[1]), nonce: match[2] });
  }
  return entries;
}

/**
 * Records `nonce` as used, unless it already is. Returns whether this call claimed it.
 * `now` is in unix seconds.
 */
export async function claimNonce(ledgerDir: string, nonce: string, now = Math.floor(Date.now() / 1000)): Promise<NonceClaim> {
  if (!/^\S+$/.test(nonce)) throw new Error(`not a nonce: ${JSON.stringify(nonce)}`);
  await mkdir(ledgerDir, { recursive: true });
  const file = join(ledgerDir, LEDGER_FILE);
  return withLock(`${file}.lock`, async () => {
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    const kept = parseLedger(text).filter((entry) => now - entry.recordedAt < NONCE_RETENTION_SECONDS);
    const used = kept.find((entry) => entry.nonce === nonce);
    if (used) return { claimed: false, recordedAt: used.recordedAt };
    kept.push({ recordedAt: now, nonce });
    const temp = `${file}.tmp-${process.pid}`;
    await writeFile(temp, kept.map((entry) => `${entry.recordedAt} ${entry.nonce}\n`).join(''));
    await rename(temp, file);
    return { claimed: true };
  });
}
