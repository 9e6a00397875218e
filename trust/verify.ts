/**
 * Verifying signed objects against the signer set, and the rules of a round done-tag that hold
 * wherever it is checked (server, tally, wait-for): annotated, `tag` header equal to the ref name,
 * signed by a key of the team. Where the tag's target must be reachable is the server's business.
 */
import type { GitRepo } from '../git/repo';
import { splitSignedCommit, splitSignedTag, verifySshFor, type SignedPayload, type VerifyResult } from './signature';
import type { Signers } from './signers';
import { doneTagName } from '../policy/round-names';
import { parseTag, type TagObject } from './tag';

export interface SignedBy extends VerifyResult {
  /** The principal whose key verified, when ok. */
  principal?: string;
}

/** Verifies the signature for any of `principals`, SSH or OpenPGP. */
export async function verifyFor(signed: SignedPayload, principals: string[], signers: Signers, env: NodeJS.ProcessEnv): Promise<SignedBy> {
  const failed = (detail: string): SignedBy => ({ ok: false, detail: `signature does not verify for ${principals.join(', ')}: ${detail}` });
  if (signed.kind === 'ssh') {
    if (!signers.ssh.trim()) return { ok: false, detail: 'the signers file is missing or empty on the protected branch' };
    const result = await verifySshFor(signed, principals, signers.ssh, env);
    return result.ok ? result : failed(result.detail);
  }
  if (signed.kind !== 'openpgp') return { ok: false, detail: 'X.509 signatures are not supported' };
  let detail = '';
  for (const principal of principals) {
    const keys = signers.pgp.get(principal);
    if (!keys) { detail = `no OpenPGP keys for "${principal}" (.coord/openpgp/${principal}.asc)`; continue; }
    const { verifyPgpSignature } = await import('./openpgp');
    const result: VerifyResult = await verifyPgpSignature(signed, keys, env);
    if (result.ok) return { ...result, principal };
    detail = result.detail;
  }
  return failed(detail);
}

/** A commit's or tag's signature, verified for one of `principals`. */
export async function objectSignedBy(repo: GitRepo, oid: string, principals: string[], signers: Signers, env: NodeJS.ProcessEnv): Promise<SignedBy> {
  const object = await repo.objects().read(oid);
  if (!object) return { ok: false, detail: `object ${oid.slice(0, 10)} not found` };
  const signed = object.type === 'tag' ? splitSignedTag(object.content) : object.type === 'commit' ? splitSignedCommit(object.content) : null;
  if (!signed) return { ok: false, detail: `${object.type} ${oid.slice(0, 10)} is not signed` };
  return verifyFor(signed, principals, signers, env);
}

export interface DoneTag {
  round: number;
  team: string;
  ok: boolean;
  /** Why not, when not ok. */
  detail: string;
  tag?: TagObject;
  /** Principal and key description that verified. */
  signer?: string;
}


/** Checks a done-tag object (by oid) for `round-<round>/done/<team>`. */
export async function verifyDoneTag(repo: GitRepo, oid: string, round: number, team: string, signers: Signers, env: NodeJS.ProcessEnv): Promise<DoneTag> {
  const base = { round, team };
  const object = await repo.objects().read(oid);
  if (!object) return { ...base, ok: false, detail: `object ${oid.slice(0, 10)} not found` };
  if (object.type !== 'tag') return { ...base, ok: false, detail: `a lightweight tag (points straight at a ${object.type}); done-tags must be annotated and signed: git tag -s ${doneTagName(round, team)}` };
  const tag = parseTag(object.content);
  if (tag.tag !== doneTagName(round, team)) return { ...base, ok: false, tag, detail: `the tag object is named "${tag.tag}", not "${doneTagName(round, team)}"` };
  if (tag.type !== 'commit') return { ...base, ok: false, tag, detail: `it points at a ${tag.type}, not a commit` };
  const signed = splitSignedTag(object.content);
  if (!signed) return { ...base, ok: false, tag, detail: `the tag is not signed: git tag -s ${doneTagName(round, team)}` };
  const verdict = await verifyFor(signed, [team], signers, env);
  return { ...base, ok: verdict.ok, tag, detail: verdict.ok ? '' : verdict.detail, signer: verdict.ok ? `${verdict.principal} (${verdict.detail})` : undefined };
}
