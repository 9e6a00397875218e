/**
 * Signed git objects: splitting a commit or tag into payload and signature, and verifying an SSH
 * signature for principals of the allowed-signers file: in-process (trust/sshsig.ts and
 * trust/allowed-signers.ts, exactly as `ssh-keygen -Y verify` decides) for plain ed25519, ecdsa and
 * rsa keys, with `ssh-keygen -Y verify` itself for any other key type (certificates, security keys).
 * Not `git verify-*`, whose principal lookup reports only the first matching line of the signers file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { cpus, tmpdir } from 'os';
import { join } from 'path';
import { runProcess } from '../core/process';
import { foreignEnv } from '../git/run';
import { parseAllowedSigners, signerAllowed } from './allowed-signers';
import { verifySshsig } from './sshsig';

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
  /** ssh-keygen's words (or the same words from the in-process check), for messages. */
  detail: string;
}

/** The namespace git signs commits, tags and push certificates in. */
export const GIT_NAMESPACE = 'git';

export interface SshVerdict extends VerifyResult {
  /** The principal the signature verified for, when ok. */
  principal?: string;
}

/**
 * Verifies an SSH signature as made by one of `principals` (tried in order) under the allowed-signers
 * text, namespace "git", honouring valid-after/valid-before (checked against now). The signature is
 * checked once in-process; key types this package does not verify go to ssh-keygen.
 */
export async function verifySshFor(signed: SignedPayload, principals: string[], allowedSigners: string, env: NodeJS.ProcessEnv): Promise<SshVerdict> {
  if (signed.kind !== 'ssh') return { ok: false, detail: `${signed.kind} signature where an SSH signature was expected` };
  const verdict = verifySshsig(signed.signature, signed.payload, GIT_NAMESPACE);
  if (verdict.ok === 'unsupported') {
    let detail = verdict.detail;
    for (const principal of principals) {
      const result = await verifyWithSshKeygen(signed, principal, allowedSigners, env);
      if (result.ok) return { ...result, principal };
      detail = result.detail;
    }
    return { ok: false, detail };
  }
  if (!verdict.ok) return { ok: false, detail: verdict.detail };
  const entries = parseAllowedSigners(allowedSigners);
  const now = Math.floor(Date.now() / 1000);
  let detail = '';
  for (const principal of principals) {
    const allowed = signerAllowed(entries, verdict.key, principal, GIT_NAMESPACE, now);
    // ssh-keygen's own words on success: tally and wait-for show them.
    if (allowed.ok) return { ok: true, principal, detail: `Good "${GIT_NAMESPACE}" signature for ${principal} with ${verdict.key.label} key ${verdict.key.fingerprint}` };
    detail = allowed.detail;
  }
  return { ok: false, detail };
}

/** One principal (see verifySshFor). */
export async function verifySshSignature(signed: SignedPayload, principal: string, allowedSigners: string, env: NodeJS.ProcessEnv): Promise<VerifyResult> {
  const { ok, detail } = await verifySshFor(signed, [principal], allowedSigners, env);
  return { ok, detail };
}

/** ssh-keygen processes at once (many tags may be verified side by side). */
const KEYGEN_LIMIT = Math.max(2, cpus().length * 2);
let keygenRunning = 0;
const keygenWaiting: (() => void)[] = [];

/** `ssh-keygen -Y verify` for one principal: the reference, and the verifier of key types not handled in-process. */
export async function verifyWithSshKeygen(signed: SignedPayload, principal: string, allowedSigners: string, env: NodeJS.ProcessEnv, namespace = GIT_NAMESPACE): Promise<VerifyResult> {
  if (keygenRunning >= KEYGEN_LIMIT) await new Promise<void>((resolve) => keygenWaiting.push(resolve));
  keygenRunning += 1;
  try {
    return await runSshKeygen(signed, principal, allowedSigners, env, namespace);
  } finally {
    keygenRunning -= 1;
    keygenWaiting.shift()?.();
  }
}

async function runSshKeygen(signed: SignedPayload, principal: string, allowedSigners: string, env: NodeJS.ProcessEnv, namespace: string): Promise<VerifyResult> {
  const dir = mkdtempSync(join(tmpdir(), 'coord-hooks-verify-'));
  try {
    writeFileSync(join(dir, 'allowed_signers'), allowedSigners);
    writeFileSync(join(dir, 'sig'), signed.signature);
    const result = await runProcess('ssh-keygen', ['-Y', 'verify', '-f', join(dir, 'allowed_signers'), '-I', principal, '-n', namespace, '-s', join(dir, 'sig')], {
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
