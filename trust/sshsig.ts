/**
 * The SSHSIG format (`ssh-keygen -Y sign`, OpenSSH's PROTOCOL.sshsig) verified with node:crypto, as
 * OpenSSH 9.2's sshsig.c does: armor, preamble and version, the embedded public key, namespace, hash
 * algorithm (sha256/sha512) and the signature itself. Plain ed25519, ecdsa (nistp256/384/521) and rsa
 * (rsa-sha2-256/512, at least 1024 bits) keys are verified here; certificates, security-key (sk-) and
 * other key types answer `unsupported`, and the caller asks ssh-keygen (trust/signature.ts).
 * Whether the key may sign for a principal is trust/allowed-signers.ts.
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'crypto';

/** A malformed wire structure: the signature does not verify. */
class WireError extends Error {}

/** Reads SSH wire types (RFC 4251: uint32, string, mpint) from a buffer; any overrun is a WireError. */
class Wire {
  private at = 0;
  constructor(private readonly buf: Buffer) {}

  get left(): number { return this.buf.length - this.at; }

  u32(): number {
    if (this.left < 4) throw new WireError('truncated');
    const value = this.buf.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }

  string(): Buffer {
    const length = this.u32();
    if (this.left < length) throw new WireError('truncated string');
    const out = this.buf.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  /** A string that is text: no NUL inside (sshbuf_get_cstring). */
  text(): string {
    const bytes = this.string();
    if (bytes.includes(0)) throw new WireError('NUL in a text field');
    return bytes.toString('latin1');
  }

  /** An unsigned mpint without its leading zeros; negative or oversized ones are refused (sshbuf_get_bignum2). */
  mpint(): Buffer {
    let bytes = this.string();
    if (bytes.length > 0 && (bytes[0] & 0x80) !== 0) throw new WireError('negative mpint');
    if (bytes.length > MAX_BIGNUM + 1 || (bytes.length === MAX_BIGNUM + 1 && bytes[0] !== 0)) throw new WireError('mpint too large');
    let start = 0;
    while (start < bytes.length && bytes[start] === 0) start++;
    bytes = bytes.subarray(start);
    return bytes;
  }
}

/** SSHBUF_MAX_BIGNUM: 16384 bits. */
const MAX_BIGNUM = 16384 / 8;
const RSA_MIN_BITS = 1024;

const u32 = (value: number) => { const out = Buffer.alloc(4); out.writeUInt32BE(value); return out; };
const wireString = (bytes: Buffer | string) => { const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes; return Buffer.concat([u32(data.length), data]); };
/** The shortest mpint encoding of an unsigned magnitude. */
const wireMpint = (magnitude: Buffer) => wireString(magnitude.length && magnitude[0] & 0x80 ? Buffer.concat([Buffer.of(0), magnitude]) : magnitude);

interface Curve { name: string; jwk: string; oid: string; hash: string; size: number }
const CURVES: Record<string, Curve> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', jwk: 'P-256', oid: '06082a8648ce3d030107', hash: 'sha256', size: 32 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', jwk: 'P-384', oid: '06052b81040022', hash: 'sha384', size: 48 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', jwk: 'P-521', oid: '06052b81040023', hash: 'sha512', size: 66 },
};

/** A public key this module verifies with. */
export interface SshPublicKey {
  /** Wire name: ssh-ed25519, ssh-rsa, ecdsa-sha2-nistp256, ... */
  type: string;
  /** ssh-keygen's name for messages: ED25519, ECDSA, RSA. */
  label: string;
  /** The canonical wire blob (what OpenSSH compares and fingerprints). */
  blob: Buffer;
  /** `SHA256:<base64>`, as ssh-keygen prints it. */
  fingerprint: string;
  object: KeyObject;
  curve?: Curve;
}

/** Key types the signature may carry that this module leaves to ssh-keygen (certificates, security keys, dsa, ...). */
export class UnsupportedKey extends Error {}

/** DER length bytes. */
const derLength = (length: number) => (length < 0x80 ? Buffer.of(length) : length < 0x100 ? Buffer.of(0x81, length) : Buffer.of(0x82, length >> 8, length & 0xff));
const der = (tag: number, body: Buffer) => Buffer.concat([Buffer.of(tag), derLength(body.length), body]);

function ecdsaKey(type: string, wire: Wire): { blob: Buffer; object: KeyObject; curve: Curve } {
  const curve = CURVES[type];
  if (wire.text() !== curve.name) throw new WireError('curve does not match the key type');
  const point = wire.string();
  // SubjectPublicKeyInfo: OpenSSL decodes (and checks) compressed and uncompressed points alike.
  const algorithm = der(0x30, Buffer.concat([Buffer.from('06072a8648ce3d0201', 'hex'), Buffer.from(curve.oid, 'hex')]));
  let object: KeyObject;
  try {
    object = createPublicKey({ key: der(0x30, Buffer.concat([algorithm, der(0x03, Buffer.concat([Buffer.of(0), point]))])), format: 'der', type: 'spki' });
  } catch {
    throw new WireError('invalid ecdsa public point');
  }
  const jwk = object.export({ format: 'jwk' });
  const uncompressed = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { blob: Buffer.concat([wireString(type), wireString(curve.name), wireString(uncompressed)]), object, curve };
}

function rsaKey(wire: Wire): { blob: Buffer; object: KeyObject } {
  const e = wire.mpint();
  const n = wire.mpint();
  const bits = n.length ? (n.length - 1) * 8 + (32 - Math.clz32(n[0])) : 0;
  if (bits < RSA_MIN_BITS) throw new WireError(`rsa key of ${bits} bits (at least ${RSA_MIN_BITS})`);
  let object: KeyObject;
  try {
    object = createPublicKey({ key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') }, format: 'jwk' });
  } catch {
    throw new WireError('invalid rsa public key');
  }
  return { blob: Buffer.concat([wireString('ssh-rsa'), wireMpint(e), wireMpint(n)]), object };
}

function ed25519Key(wire: Wire): { blob: Buffer; object: KeyObject } {
  const pk = wire.string();
  if (pk.length !== 32) throw new WireError('ed25519 key is not 32 bytes');
  const object = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: pk.toString('base64url') }, format: 'jwk' });
  return { blob: Buffer.concat([wireString('ssh-ed25519'), wireString(pk)]), object };
}

const keyCache = new Map<string, SshPublicKey>();
const KEY_CACHE_LIMIT = 1000;

/**
 * Parses a public key blob (sshkey_fromb): a WireError when malformed, UnsupportedKey for a type this
 * module does not verify. Parsed keys are memoized (a signer set signs thousands of tags).
 */
export function parsePublicKey(blob: Buffer): SshPublicKey {
  const memo = blob.toString('base64');
  const hit = keyCache.get(memo);
  if (hit) return hit;
  const wire = new Wire(blob);
  const type = wire.text();
  let parsed: { blob: Buffer; object: KeyObject; curve?: Curve };
  let label: string;
  if (type === 'ssh-ed25519') { parsed = ed25519Key(wire); label = 'ED25519'; }
  else if (type === 'ssh-rsa') { parsed = rsaKey(wire); label = 'RSA'; }
  else if (CURVES[type]) { parsed = ecdsaKey(type, wire); label = 'ECDSA'; }
  else throw new UnsupportedKey(`${type} keys are verified by ssh-keygen`);
  if (wire.left !== 0) throw new WireError('trailing data after the public key');
  const fingerprint = `SHA256:${createHash('sha256').update(parsed.blob).digest('base64').replace(/=+$/, '')}`;
  const key: SshPublicKey = { type, label, fingerprint, ...parsed };
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(memo, key);
  return key;
}

const ARMOR_BEGIN = '-----BEGIN SSH SIGNATURE-----\n';
const ARMOR_END = '\n-----END SSH SIGNATURE-----';

/** Strict base64 as OpenSSH's b64_pton: whitespace ignored, padding required, no stray bits. */
export function strictBase64(text: string): Buffer | null {
  const compact = text.replace(/[ \t\n\v\f\r]/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  return bytes.toString('base64') === compact ? bytes : null;
}

/** The signature's fields, after its armor and preamble. */
export interface Sshsig {
  key: SshPublicKey;
  namespace: string;
  hashAlgorithm: string;
  signature: Buffer;
}

export type SshsigVerdict =
  | { ok: true; key: SshPublicKey }
  | { ok: false; detail: string }
  /** The key type is one ssh-keygen must judge. */
  | { ok: 'unsupported'; detail: string };

/** Parses an armored SSHSIG (sshsig_dearmor, sshsig_parse_preamble, the blob's fields). */
function parseSignature(armored: string): Sshsig {
  if (!armored.startsWith(ARMOR_BEGIN)) throw new WireError('missing "-----BEGIN SSH SIGNATURE-----" header');
  const end = armored.indexOf(ARMOR_END, ARMOR_BEGIN.length);
  if (end < 0) throw new WireError('missing "-----END SSH SIGNATURE-----" footer');
  const blob = strictBase64(armored.slice(ARMOR_BEGIN.length, end));
  if (!blob) throw new WireError('the signature is not valid base64');
  if (blob.length < 6 || blob.toString('latin1', 0, 6) !== 'SSHSIG') throw new WireError('not an SSHSIG blob');
  const wire = new Wire(blob.subarray(6));
  const version = wire.u32();
  if (version > 1) throw new WireError(`signature version ${version} (1 is supported)`);
  const keyBlob = wire.string();
  const namespace = wire.text();
  wire.string(); // reserved: its content is not signed over (the verifier uses an empty one)
  const hashAlgorithm = wire.text();
  const signature = wire.string();
  if (wire.left !== 0) throw new WireError('trailing data after the signature');
  return { key: parsePublicKey(keyBlob), namespace, hashAlgorithm, signature };
}

/** The inner signature blob checked against the key (sshkey_verify for each key type). */
function signatureValid(key: SshPublicKey, signature: Buffer, data: Buffer): boolean {
  const wire = new Wire(signature);
  const type = wire.text();
  const raw = wire.string();
  if (wire.left !== 0) throw new WireError('trailing data after the signature blob');
  if (key.type === 'ssh-ed25519') {
    if (type !== 'ssh-ed25519' || raw.length > 64) return false;
    return raw.length === 64 && cryptoVerify(null, data, key.object, raw);
  }
  if (key.curve) {
    if (type !== key.type) return false;
    const inner = new Wire(raw);
    const r = inner.mpint();
    const s = inner.mpint();
    if (inner.left !== 0) throw new WireError('trailing data after the ecdsa signature');
    const size = key.curve.size;
    if (r.length > size || s.length > size) return false;
    const p1363 = Buffer.alloc(size * 2);
    r.copy(p1363, size - r.length);
    s.copy(p1363, size * 2 - s.length);
    return cryptoVerify(key.curve.hash, data, { key: key.object, dsaEncoding: 'ieee-p1363' }, p1363);
  }
  // RSA: sshsig accepts only the SHA-2 signature algorithms.
  const hash = type === 'rsa-sha2-256' ? 'sha256' : type === 'rsa-sha2-512' ? 'sha512' : null;
  if (!hash) throw new WireError(`RSA signature algorithm ${type} (rsa-sha2-256 or rsa-sha2-512 expected)`);
  const modulusBytes = Math.ceil((key.object.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (raw.length > modulusBytes) return false;
  const padded = raw.length < modulusBytes ? Buffer.concat([Buffer.alloc(modulusBytes - raw.length), raw]) : raw;
  return cryptoVerify(hash, data, key.object, padded);
}

/**
 * Verifies an armored SSHSIG over `message` for namespace `namespace` (sshsig_verifyb): that the
 * embedded key made it. Whether that key may sign is the allowed-signers file's question.
 */
export function verifySshsig(armored: string, message: Buffer, namespace: string): SshsigVerdict {
  let sig: Sshsig;
  try {
    sig = parseSignature(armored);
  } catch (error) {
    if (error instanceof UnsupportedKey) return { ok: 'unsupported', detail: error.message };
    if (error instanceof WireError) return { ok: false, detail: `malformed SSH signature: ${error.message}` };
    throw error;
  }
  if (sig.hashAlgorithm !== 'sha256' && sig.hashAlgorithm !== 'sha512') return { ok: false, detail: `unsupported hash algorithm "${sig.hashAlgorithm}"` };
  if (sig.namespace !== namespace) return { ok: false, detail: `the signature is for namespace "${sig.namespace}", not "${namespace}"` };
  const digest = createHash(sig.hashAlgorithm).update(message).digest();
  const signed = Buffer.concat([Buffer.from('SSHSIG'), wireString(namespace), wireString(''), wireString(sig.hashAlgorithm), wireString(digest)]);
  try {
    if (!signatureValid(sig.key, sig.signature, signed)) return { ok: false, detail: `the signature does not match the signed content (${sig.key.label} key ${sig.key.fingerprint})` };
  } catch (error) {
    if (error instanceof WireError) return { ok: false, detail: `malformed SSH signature: ${error.message}` };
    throw error;
  }
  return { ok: true, key: sig.key };
}

/** Parses a key written as `<type> <base64>` (sshkey_read): null when it is not a key at all. */
export function readPublicKey(type: string, base64: string): SshPublicKey | UnsupportedKey | null {
  const blob = strictBase64(base64);
  if (!blob) return null;
  try {
    const wire = new Wire(blob);
    const inner = wire.text();
    // rsa-sha2-* name RSA keys too (OpenSSH's key type table holds them).
    const plainType = type === 'rsa-sha2-256' || type === 'rsa-sha2-512' ? 'ssh-rsa' : type;
    if (inner !== plainType) return null;
    return parsePublicKey(blob);
  } catch (error) {
    if (error instanceof UnsupportedKey) return error;
    if (error instanceof WireError) return null;
    throw error;
  }
}
