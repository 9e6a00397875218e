/**
 * What proves who wants a ref update, beyond the ref's name: the host's identity (`pusher` mode) or a
 * push certificate (`git push --signed`) whose signature, nonce and update lines the gate checks
 * against the signers of the protected branch before the push. Read once per push, only when a rule
 * needs a proof; every certificate that reaches the gate has its nonce recorded, so none is replayed.
 */
import type { GitRepo } from '../git/repo';
import type { Policy } from '../policy/types';
import { claimNonce } from '../trust/push-cert-ledger';
import { certificateKey, describeMissingCertificate, readPushCertificate, verifyPushCertificate, type CertUpdate, type PushCertificate } from '../trust/push-cert';
import { teamPrincipals } from '../trust/identity';
import type { Signers } from '../trust/signers';

export interface CertificateProof {
  ok: boolean;
  /** The principal whose key signed it, when ok. */
  principal?: string;
  /** Why not, when not ok. */
  detail: string;
}

export interface Certificates {
  /** The push certificate's verdict, computed at most once (every principal of the policy is tried). */
  proof: () => Promise<CertificateProof>;
  /** Records a certificate no rule needed as used too, so that it cannot be replayed as a proof later. */
  settle: () => Promise<void>;
}

export function pushCertificates(repo: GitRepo, policy: Policy, signers: Signers, env: NodeJS.ProcessEnv, updates: CertUpdate[], ledgerDir: string): Certificates {
  let verdict: Promise<CertificateProof> | null = null;
  const principals = [...new Set([...policy.coord.architects, ...policy.teams.flatMap(teamPrincipals)])];
  const proof = () => {
    verdict ??= (async (): Promise<CertificateProof> => {
      const cert = await readPushCertificate(repo, env);
      if (!cert) return { ok: false, detail: `the push carries no push certificate (${await describeMissingCertificate(repo, env)})` };
      const result = await verifyPushCertificate(cert, { principals, signers, env, updates, ledgerDir });
      return result.ok ? { ok: true, principal: result.principal, detail: '' } : { ok: false, detail: result.detail };
    })();
    return verdict;
  };
  const settle = async () => {
    if (verdict || !env.GIT_PUSH_CERT) return;
    let cert: PushCertificate | null = null;
    try {
      cert = await readPushCertificate(repo, env);
    } catch {
      return; // a certificate that does not parse proves nothing, now or later
    }
    if (cert?.nonce) await claimNonce(ledgerDir, certificateKey(cert)).catch(() => undefined);
  };
  return { proof, settle };
}

export const SIGNED_PUSH_FIX = 'push with a certificate: `git push --signed` (or once: `git config push.gpgSign if-asked`) with a signing key listed in the signers file; the server must ask for one (`coord-hooks install --server` sets receive.certNonceSeed)';
