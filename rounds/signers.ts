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

export async function loadSigners(repo: GitRepo, commit: string, policy: Policy): Promise<Signers> {
  const objects = repo.objects();
  const [signersBlob, coordTree] = await Promise.all([
    repo.resolve(`${commit}:${policy.coord.signers}`),
    repo.resolve(`${commit}:.coord`),
  ]);
  const ssh = signersBlob ? (await objects.readBlobText(signersBlob)) ?? '' : '';
  const pgp = new Map<string, string>();
  if (coordTree) {
    const entries = await repo.lsTree(commit, [`${OPENPGP_DIR}/`]);
    for (const entry of entries) {
      const name = entry.path.slice(OPENPGP_DIR.length + 1);
      if (entry.type === 'blob' && name.endsWith('.asc') && !name.includes('/')) {
        pgp.set(name.slice(0, -'.asc'.length), (await objects.readBlobText(entry.oid)) ?? '');
      }
    }
  }
  return { key: `${signersBlob ?? '-'}:${coordTree ?? '-'}`, ssh, pgp };
}
