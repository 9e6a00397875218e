/**
 * Signed git objects: splitting a commit or tag into payload and signature, and verifying an SSH
 * signature for one principal with `ssh-keygen -Y verify` (not `git verify-*`, whose principal lookup
 * reports only the first matching line of the signers file).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { runProcess } from '../core/process';
import { foreignEnv } from '../git/run';

export type SignatureKind = 'ssh' | 'openpgp' | 'x509';

export interface SignedPayload {
  payload: Buffer;
  signature: string;
  kind: SignatureKind;
}

function kindOf(signature: string): SignatureKind {
  if (signature.includes('BEGIN SSH SIGNATURE')) return 'ssh';
  if (signature.includes('BEGIN PGP SIGNATURE')) return 'openpgp';
  return 'x509';
}

/** A commit's `gpgsig` header (with its continuation lines) is the signature; the rest is the payload. */
export function splitSignedCommit(raw: Buffer): SignedPayload | null {
  const text = raw.toString('utf8');
  const headerEnd = text.indexOf('\n\n');
  const headers = (headerEnd < 0 ? text : text.slice(0, headerEnd)).split('\n');
  const kept: string[] = [];
  const signature: string[] = [];
  let inSig = false;
  for (const line of headers) {
    if (line.startsWith('gpgsig ') || line.startsWith('gpgsig-sha256 ')) { inSig = true; signature.push(line.slice(line.indexOf(' ') + 1)); continue; }
    if (inSig && line.startsWith(' ')) { signature.push(line.slice(1)); continue; }
    inSig = false;
    kept.push(line);
  }
  if (signature.length === 0) return null;
  const payload = kept.join('\n') + (headerEnd < 0 ? '' : text.slice(headerEnd));
  const sig = signature.join('\n') + '\n';
  return { payload: Buffer.from(payload, 'utf8'), signature: sig, kind: kindOf(sig) };
}

const TAG_SIGNATURE_START = /-----BEGIN (SSH SIGNATURE|PGP SIGNATURE|SIGNED MESSAGE)-----\n/;

/** An annotated tag's signature is appended to its message. */
export function splitSignedTag(raw: Buffer): SignedPayload | null {
  const text = raw.toString('utf8');
  const match = TAG_SIGNATURE_START.exec(text);
  if (!match) return null;
  const signature = text.slice(match.index);
  return { payload: Buffer.from(text.slice(0, match.index), 'utf8'), signature, kind: kindOf(signature) };
}

export interface VerifyResult {
  ok: boolean;
  /** ssh-keygen's words, for messages. */
  detail: string;
}

/**
 * Verifies `signed` as made by `principal` under the allowed-signers text, namespace "git".
 * Honours valid-after/valid-before in the signers file (checked against now).
 */
export async function verifySshSignature(signed: SignedPayload, principal: string, allowedSigners: string, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  if (signed.kind !== 'ssh') return { ok: false, detail: `${signed.kind} signature where an SSH signature was expected` };
  const dir = mkdtempSync(join(tmpdir(), 'coord-hooks-verify-'));
  try {
    writeFileSync(join(dir, 'allowed_signers'), allowedSigners);
    writeFileSync(join(dir, 'sig'), signed.signature);
    const result = await runProcess('ssh-keygen', ['-Y', 'verify', '-f', join(dir, 'allowed_signers'), '-I', principal, '-n', 'git', '-s', join(dir, 'sig')], {
      env: foreignEnv(env), input: signed.payload, timeoutMs: 20000,
    });
    const detail = (result.stdout + result.stderr).trim().split('\n')[0] ?? '';
    return { ok: result.code === 0, detail };
  } catch (error) {
    return { ok: false, detail: `cannot run ssh-keygen: ${String(error)}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
