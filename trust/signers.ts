/**
 * Who may sign for whom, as the protected branch says: the OpenSSH allowed-signers file
 * (coord.signers, principal = team name or architect) and OpenPGP public keys in
 * `.coord/openpgp/<principal>.asc`. The `.coord` tree id is the cache key: any key change changes it.
 */
import type { GitRepo } from '../git/repo';
import type { Policy } from '../policy/types';

export const OPENPGP_DIR = '.coord/openpgp';

export interface Signers {
  /** Changes whenever any key changes (the `.coord` tree id plus the signers file blob id). */
  key: string;
  /** OpenSSH allowed-signers text ('' when there is none). */
  ssh: string;
  /** Armored OpenPGP public keys by principal. */
  pgp: Map<string, string>;
}

/**
 * Signers already read in this process, by commit and signers path: a commit's files never change, so
 * a long-lived process (the warm gate, docs/warm.md) reads a protected-branch commit's keys once.
 */
const known = new Map<string, Promise<Signers>>();
const KNOWN_MAX = 16;

/** Reads everything through the repository's cat-file batch process: no extra git processes. */
export function loadSigners(repo: GitRepo, commit: string, policy: Policy): Promise<Signers> {
  const key = `${commit}\0${policy.coord.signers}`;
  let signers = known.get(key);
  if (!signers) {
    if (known.size >= KNOWN_MAX) known.delete(known.keys().next().value as string);
    signers = readSigners(repo, commit, policy);
    known.set(key, signers);
    // A failed read (a missing object) is not remembered: the next push asks again.
    signers.catch(() => known.delete(key));
  }
  return signers;
}

async function readSigners(repo: GitRepo, commit: string, policy: Policy): Promise<Signers> {
  const objects = repo.objects();
  const [signersFile, coordTree, pgpTree] = await Promise.all([
    objects.read(`${commit}:${policy.coord.signers}`),
    objects.read(`${commit}:.coord`),
    objects.readTree(`${commit}:${OPENPGP_DIR}`),
  ]);
  const ssh = signersFile?.type === 'blob' ? signersFile.content.toString('utf8') : '';
  const pgp = new Map<string, string>();
  for (const entry of pgpTree ?? []) {
    if (!entry.mode.startsWith('100') || !entry.name.endsWith('.asc')) continue;
    pgp.set(entry.name.slice(0, -'.asc'.length), (await objects.readBlobText(entry.oid)) ?? '');
  }
  return { key: `${signersFile?.oid ?? '-'}:${coordTree?.oid ?? '-'}`, ssh, pgp };
}
