/**
 * OpenPGP signature verification with gpg in a throwaway home: the armored keys of one principal
 * (`.coord/openpgp/<principal>.asc` on the protected branch) are imported into a fresh GNUPGHOME, the
 * detached signature is checked with `--status-fd`, and only a VALIDSIG whose primary-key fingerprint
 * is one of the imported keys counts. The user's own keyring is never read or written.
 */
import { chmod, mkdtemp, rm, writeFile } from 'fs/promises';
import { tmpdir } from 'os';
import { join } from 'path';
import { runProcess } from '../core/process';
import { foreignEnv } from '../git/run';
import type { SignedPayload, VerifyResult } from './signature';

const GPG = ['--batch', '--no-autostart', '--no-tty'];
const TIMEOUT_MS = 20000;

/** Runs `body` with a private, empty GNUPGHOME (mode 700), removed afterwards. */
export async function withGnupgHome<T>(env: NodeJS.ProcessEnv, body: (gpgEnv: NodeJS.ProcessEnv, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'coord-hooks-gpg-'));
  try {
    await chmod(dir, 0o700);
    return await body({ ...foreignEnv(env), GNUPGHOME: dir }, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Primary-key fingerprints of the keys in a keyring, from `gpg --with-colons --fingerprint`. */
export function primaryFingerprints(colons: string): string[] {
  const out: string[] = [];
  let afterPrimary = false;
  for (const line of colons.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === 'fpr') {
      if (afterPrimary && fields[9]) out.push(fields[9].toUpperCase());
      afterPrimary = false;
    } else {
      afterPrimary = fields[0] === 'pub' || fields[0] === 'sec';
    }
  }
  return out;
}

/** Imports armored keys into the GNUPGHOME of `gpgEnv`; returns their primary fingerprints. */
export async function importKeys(armoredKeys: string, gpgEnv: NodeJS.ProcessEnv): Promise<string[]> {
  const imported = await runProcess('gpg', [...GPG, '--import'], { env: gpgEnv, input: armoredKeys, timeoutMs: TIMEOUT_MS });
  if (imported.code !== 0 && imported.code !== 2) throw new Error(`gpg --import failed: ${imported.stderr.trim().split('\n')[0] ?? ''}`);
  const listed = await runProcess('gpg', [...GPG, '--with-colons', '--fingerprint'], { env: gpgEnv, timeoutMs: TIMEOUT_MS });
  return primaryFingerprints(listed.stdout);
}

/** Primary fingerprints of armored public keys (in a throwaway home). */
export function fingerprintsOf(armoredKeys: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  return withGnupgHome(env, (gpgEnv) => importKeys(armoredKeys, gpgEnv));
}

/** Reads gpg's status lines into a verdict (exported for tests). */
export function verdictFromStatus(status: string, allowed: string[]): VerifyResult {
  const lines = status.split('\n').filter((line) => line.startsWith('[GNUPG:] ')).map((line) => line.slice(9).trim().split(' '));
  const find = (word: string) => lines.find((fields) => fields[0] === word);
  const refusal: Record<string, string> = {
    EXPKEYSIG: 'the signing key has expired',
    REVKEYSIG: 'the signing key has been revoked',
    EXPSIG: 'the signature has expired',
    BADSIG: 'bad signature (the tag was changed after signing)',
  };
  for (const [word, reason] of Object.entries(refusal)) {
    const fields = find(word);
    if (fields) return { ok: false, detail: `${reason}: key ${fields[1] ?? '?'}${fields.length > 2 ? ` (${fields.slice(2).join(' ')})` : ''}` };
  }
  const valid = find('VALIDSIG');
  if (valid) {
    const primary = (valid[valid.length - 1] ?? '').toUpperCase();
    if (allowed.includes(primary)) return { ok: true, detail: `Good OpenPGP signature by ${primary}` };
    return { ok: false, detail: `signed by ${primary}, which is not one of the listed keys (${allowed.join(', ') || 'none'})` };
  }
  const missing = find('NO_PUBKEY') ?? find('ERRSIG');
  if (missing) return { ok: false, detail: `no listed key made this signature (key ${missing[1] ?? '?'})` };
  return { ok: false, detail: 'gpg reported no valid signature' };
}

export async function verifyPgpSignature(signed: SignedPayload, armoredKeys: string, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  if (signed.kind !== 'openpgp') return { ok: false, detail: `${signed.kind} signature where an OpenPGP signature was expected` };
  try {
    return await withGnupgHome(env, async (gpgEnv, dir) => {
      const allowed = await importKeys(armoredKeys, gpgEnv);
      if (allowed.length === 0) return { ok: false, detail: 'the OpenPGP key file holds no usable public key' };
      const sigFile = join(dir, 'payload.sig');
      const payloadFile = join(dir, 'payload');
      await writeFile(sigFile, signed.signature);
      await writeFile(payloadFile, signed.payload);
      const result = await runProcess('gpg', [...GPG, '--trust-model', 'always', '--status-fd', '1', '--verify', sigFile, payloadFile], {
        env: gpgEnv, timeoutMs: TIMEOUT_MS,
      });
      return verdictFromStatus(result.stdout, allowed);
    });
  } catch (error) {
    return { ok: false, detail: `cannot run gpg: ${error instanceof Error ? error.message : String(error)}` };
  }
}
