/**
 * Push certificates (`git push --signed`): authority bound to the ref updates of one push. git's
 * receive-pack hands pre-receive the certificate as a blob (GIT_PUSH_CERT) and says whether its nonce
 * is the one it issued (GIT_PUSH_CERT_NONCE_STATUS). A certificate counts only when the nonce is
 * fresh and this server's, it lists exactly the updates of the push, its signature verifies for a
 * required principal, and its nonce was never used before in this repository (push-cert-ledger.ts).
 * git's own verdict (GIT_PUSH_CERT_STATUS) is never trusted: it uses the server's gpg settings.
 */
import { CoordError } from '../core/errors';
import type { GitRepo } from '../git/repo';
import { claimNonce, NONCE_RETENTION_SECONDS } from './push-cert-ledger';
import { CertificateFormatError, parseCertificate, type CertUpdate, type PushCertificateText } from './push-cert-parse';
import type { Signers } from './signers';
import { verifyFor } from './verify';

export type { CertUpdate } from './push-cert-parse';
export { NONCE_RETENTION_SECONDS } from './push-cert-ledger';

export interface PushCertificate extends PushCertificateText {
  /** The blob id (GIT_PUSH_CERT). */
  oid: string;
  /** GIT_PUSH_CERT_NONCE_STATUS (OK, SLOP, BAD, MISSING, UNSOLICITED); null when git set none. */
  nonceStatus: string | null;
  /** GIT_PUSH_CERT_NONCE: the nonce the server issued (or, within receive.certNonceSlop, accepted). */
  serverNonce: string | null;
  /** GIT_PUSH_CERT_NONCE_SLOP: seconds between the issued nonce and this one, when status is SLOP. */
  nonceSlop: number | null;
}

export type CertificateVerdict = { ok: true; principal: string } | { ok: false; detail: string };

export const SIGN_THE_PUSH = 'sign the push: git push --signed, or git config push.gpgSign if-asked (coord-hooks install sets it in clones)';
const SERVER_MUST_ASK = 'the server needs receive.certNonceSeed (coord-hooks install --server sets it)';

/** The certificate of the push running this hook, or null when there is none (GIT_PUSH_CERT unset or empty). */
export async function readPushCertificate(repo: GitRepo, env: NodeJS.ProcessEnv): Promise<PushCertificate | null> {
  const oid = env.GIT_PUSH_CERT ?? '';
  if (!oid) return null;
  if (!/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(oid)) throw new CoordError(`GIT_PUSH_CERT is not an object id: ${JSON.stringify(oid)}`);
  const object = await repo.objects().read(oid);
  if (!object || object.type !== 'blob') {
    throw new CoordError(`the push certificate ${oid.slice(0, 10)} is not a blob in the repository`, { hint: 'push again; if it persists, report it to the repository administrator' });
  }
  let text: PushCertificateText;
  try {
    text = parseCertificate(object.content);
  } catch (error) {
    if (!(error instanceof CertificateFormatError)) throw error;
    throw new CoordError(`the push certificate ${oid.slice(0, 10)} is malformed: ${error.message}`, { hint: `push with an unmodified git: ${SIGN_THE_PUSH}` });
  }
  const slop = env.GIT_PUSH_CERT_NONCE_SLOP;
  return {
    ...text, oid,
    nonceStatus: env.GIT_PUSH_CERT_NONCE_STATUS || null,
    serverNonce: env.GIT_PUSH_CERT_NONCE || null,
    nonceSlop: slop !== undefined && /^-?\d+$/.test(slop) ? Number(slop) : null,
  };
}

/** What is wrong with a nonce status (null when OK); SLOP is judged by verifyPushCertificate. */
export function nonceStatusProblem(status: string | null): string | null {
  switch (status) {
    case 'OK': return null;
    case null: return `the server did not ask for a signed push, so the certificate carries no nonce it issued; ${SERVER_MUST_ASK}`;
    case 'MISSING': return `the push certificate has no nonce; ${SIGN_THE_PUSH} with a git that sends the server's nonce`;
    case 'BAD': return 'the push certificate\'s nonce was not issued by this repository for this push (a certificate replayed from another push or repository); push again: git push --signed';
    case 'UNSOLICITED': return `the push certificate carries a nonce the server did not ask for; ${SERVER_MUST_ASK}`;
    case 'SLOP': return 'the push certificate\'s nonce is stale (issued too long before the push, or by a server whose clock differs); push again: git push --signed';
    default: return `unknown nonce status ${JSON.stringify(status)}; push again: git push --signed`;
  }
}

/** Why a push that needs a certificate has none (or none that can count). */
export async function describeMissingCertificate(repo: GitRepo, env: NodeJS.ProcessEnv): Promise<string> {
  if (env.GIT_PUSH_CERT) return nonceStatusProblem(env.GIT_PUSH_CERT_NONCE_STATUS || null) ?? 'the push certificate is present; it did not verify';
  if (!(await repo.configGet('receive.certNonceSeed'))) {
    return `the server does not ask for signed pushes (receive.certNonceSeed is not set), so git gives no push certificate: ${SERVER_MUST_ASK}`;
  }
  return `the push was not signed (no push certificate); ${SIGN_THE_PUSH}; with SSH keys also gpg.format ssh and user.signingKey`;
}

function nonceStamp(nonce: string): number | null {
  const match = /^([1-9]\d*)-[0-9a-f]+$/.exec(nonce);
  return match ? Number(match[1]) : null;
}

/** The nonce checks: issued by this server for this push (or SLOP within `slopSeconds`), and not too old. */
function nonceProblem(cert: PushCertificate, slopSeconds: number, now: number): string | null {
  if (cert.nonce === null) return nonceStatusProblem('MISSING');
  const stamp = nonceStamp(cert.nonce);
  if (stamp === null) return `the push certificate's nonce ${JSON.stringify(cert.nonce)} is not "<time>-<hmac>" as git issues it`;
  if (cert.nonceStatus === 'SLOP') {
    const within = cert.nonceSlop !== null && Math.abs(cert.nonceSlop) <= slopSeconds && Math.abs(now - stamp) <= slopSeconds;
    if (!within) return `${nonceStatusProblem('SLOP')} (off by ${cert.nonceSlop ?? '?'}s; at most ${slopSeconds}s is accepted)`;
  } else {
    const problem = nonceStatusProblem(cert.nonceStatus);
    if (problem) return problem;
    if (cert.nonce !== cert.serverNonce) return 'the push certificate\'s nonce is not the one the server issued for this push; push again: git push --signed';
  }
  if (now - stamp > NONCE_RETENTION_SECONDS) return 'the push certificate\'s nonce is more than 24 hours old; push again: git push --signed';
  return null;
}

/** Updates of the push that the certificate does not list identically, and certificate lines beyond the push. */
export function coverageProblem(certUpdates: CertUpdate[], pushUpdates: CertUpdate[]): string | null {
  const listed = new Map(certUpdates.map((update) => [update.ref, update]));
  for (const update of pushUpdates) {
    const line = listed.get(update.ref);
    if (!line) return `the push certificate does not cover ${update.ref}; ${SIGN_THE_PUSH}`;
    if (line.old !== update.old || line.new !== update.new) {
      return `the push certificate lists ${update.ref} as ${line.old.slice(0, 10)}..${line.new.slice(0, 10)}, but the push moves it ${update.old.slice(0, 10)}..${update.new.slice(0, 10)}; push again: git push --signed`;
    }
  }
  const pushed = new Set(pushUpdates.map((update) => update.ref));
  const extra = certUpdates.find((update) => !pushed.has(update.ref));
  return extra ? `the push certificate lists ${extra.ref}, which this push does not update; push again: git push --signed` : null;
}

export interface VerifyCertificateOptions {
  /** Any of these principals' keys may have signed. */
  principals: string[];
  signers: Signers;
  env: NodeJS.ProcessEnv;
  /** The updates of the push (pre-receive's standard input). */
  updates: CertUpdate[];
  /** Where the nonce ledger lives, e.g. `<git dir>/coord-hooks`. */
  ledgerDir: string;
  /** A SLOP nonce counts when off by at most this many seconds (default 0: never). */
  slopSeconds?: number;
  /** Unix seconds (tests). */
  now?: number;
}

/**
 * What the ledger records: the nonce and the certificate's own object id. git gives every push of the
 * same second the same nonce, so the nonce alone would refuse a second honest push; a replay is the
 * same signed text, hence the same object id.
 */
export function certificateKey(cert: PushCertificate): string {
  return `${cert.nonce}/${cert.oid}`;
}

/**
 * Whether the certificate authorizes the push for one of `options.principals`. Records the nonce in
 * the ledger as soon as the nonce checks pass, whatever the later checks or the push's fate: call it
 * once per push (a second call with the same certificate fails as a replay).
 */
export async function verifyPushCertificate(cert: PushCertificate, options: VerifyCertificateOptions): Promise<CertificateVerdict> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const nonce = nonceProblem(cert, options.slopSeconds ?? 0, now);
  if (nonce) return { ok: false, detail: nonce };
  let claim;
  try {
    claim = await claimNonce(options.ledgerDir, certificateKey(cert), now);
  } catch (error) {
    return { ok: false, detail: `cannot record the push certificate's nonce in ${options.ledgerDir}: ${error instanceof Error ? error.message : String(error)}; the hook must be able to write there` };
  }
  if (!claim.claimed) {
    const when = new Date(claim.recordedAt * 1000).toISOString();
    return { ok: false, detail: `this push certificate was already used in this repository (${when}): a replayed certificate; push again: git push --signed` };
  }
  const pushOptions = certificatePushOptions(options.env);
  if (pushOptions !== null && pushOptions.join('\n') !== cert.pushOptions.join('\n')) return { ok: false, detail: 'the push options differ from those in the push certificate; push again: git push --signed' };
  const coverage = coverageProblem(cert.updates, options.updates);
  if (coverage) return { ok: false, detail: coverage };
  if (options.principals.length === 0) return { ok: false, detail: 'no principal may sign this push certificate' };
  const signed = await verifyFor(cert, options.principals, options.signers, options.env);
  if (!signed.ok || !signed.principal) {
    return { ok: false, detail: `the push certificate is not signed by ${options.principals.join(' or ')}: ${signed.detail}; sign the push with a key listed for ${options.principals.join(' or ')} in the signers file` };
  }
  return { ok: true, principal: signed.principal };
}

/** GIT_PUSH_OPTION_0.. as git passes them to the hook; null when git passed none. */
function certificatePushOptions(env: NodeJS.ProcessEnv): string[] | null {
  const count = env.GIT_PUSH_OPTION_COUNT;
  if (count === undefined) return null;
  return Array.from({ length: Number(count) || 0 }, (_, i) => env[`GIT_PUSH_OPTION_${i}`] ?? '');
}
