/**
 * In-process SSH signature verification (trust/sshsig.ts + trust/allowed-signers.ts) against the
 * reference, `ssh-keygen -Y verify`, on real keys of every supported type and real signatures made by
 * `ssh-keygen -Y sign`: every case must give the same verdict, and a good signature the same words.
 * Certificate signatures must go to ssh-keygen (and still verify).
 */
import { createHash, createPrivateKey, sign, type KeyObject } from 'crypto';
import { readFileSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { foreignEnv } from '../../git/run';
import { parseEd25519Key } from '../../fixtures/tags';
import { tempDir } from '../../fixtures/repo';
import { verifySshFor, verifyWithSshKeygen, type SignedPayload } from '../../trust/signature';
import { verifySshsig } from '../../trust/sshsig';
import { matchPatternList, parseAbsoluteTime } from '../../trust/allowed-signers';

interface Key {
  name: string;
  path: string;
  /** `<type> <base64>` of the .pub file. */
  pub: string;
  blob: Buffer;
  /** Node's private key, for hand-made signatures. */
  privateKey: KeyObject;
}

const env = foreignEnv();
let dir: string;
const keys: Record<string, Key> = {};
const PAYLOAD = Buffer.from('object 0123456789abcdef0123456789abcdef01234567\ntype commit\ntag round-1/done/fw\ntagger T <t@example.invalid> 1700000000 +0000\n\ndone\n');

async function keygen(args: string[], input?: string | Buffer): Promise<string> {
  const result = await runProcess('ssh-keygen', args, { env, input });
  if (result.code !== 0) throw new Error(`ssh-keygen ${args.join(' ')} failed (is openssh-client installed?): ${result.stderr}`);
  return result.stdout;
}

async function makeKey(name: string, type: string, bits?: number): Promise<Key> {
  const path = join(dir, name);
  // PEM private keys (node can read them) where ssh-keygen writes them; ed25519 only has the OpenSSH format.
  const pem = type === 'ed25519' ? [] : ['-m', 'PEM'];
  await keygen(['-q', '-t', type, ...(bits ? ['-b', String(bits)] : []), ...pem, '-N', '', '-C', name, '-f', path]);
  const pub = readFileSync(`${path}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  const privateKey = type === 'ed25519' ? parseEd25519Key(path)!.privateKey : createPrivateKey(readFileSync(path, 'utf8'));
  return { name, path, pub, blob: Buffer.from(pub.split(' ')[1], 'base64'), privateKey };
}

async function signWithKeygen(key: Key | string, payload = PAYLOAD, namespace = 'git'): Promise<string> {
  return keygen(['-Y', 'sign', '-n', namespace, '-f', typeof key === 'string' ? key : key.path], payload);
}

const str = (data: Buffer | string) => { const bytes = Buffer.from(data); const len = Buffer.alloc(4); len.writeUInt32BE(bytes.length); return Buffer.concat([len, bytes]); };
const armor = (blob: Buffer) => `-----BEGIN SSH SIGNATURE-----\n${blob.toString('base64').replace(/.{1,70}/g, '$&\n')}-----END SSH SIGNATURE-----\n`;

/** An SSHSIG made here, for variants ssh-keygen does not produce (rsa-sha2-256, sha256, other versions). */
function handSign(key: Key, options: { sigType: string; hash: 'sha256' | 'sha512'; version?: number; reserved?: string; signedHash?: string }): string {
  const digest = createHash(options.hash).update(PAYLOAD).digest();
  const toSign = Buffer.concat([Buffer.from('SSHSIG'), str('git'), str(''), str(options.signedHash ?? options.hash), str(digest)]);
  const rsaHash = options.sigType === 'rsa-sha2-256' ? 'sha256' : options.sigType === 'rsa-sha2-512' ? 'sha512' : options.sigType === 'ssh-rsa' ? 'sha1' : null;
  const raw = sign(rsaHash, toSign, key.privateKey);
  const version = Buffer.alloc(4);
  version.writeUInt32BE(options.version ?? 1);
  return armor(Buffer.concat([Buffer.from('SSHSIG'), version, str(key.blob), str('git'), str(options.reserved ?? ''), str(options.hash), str(Buffer.concat([str(options.sigType), str(raw)]))]));
}

/** Flips one base64 character inside the signature's last line of data (the signature bytes). */
function tamperSignature(armored: string): string {
  const lines = armored.split('\n');
  const at = lines.length - 3;
  const line = lines[at];
  const index = Math.floor(line.length / 2);
  lines[at] = line.slice(0, index) + (line[index] === 'A' ? 'B' : 'A') + line.slice(index + 1);
  return lines.join('\n');
}

const signed = (signature: string, payload: Buffer = PAYLOAD): SignedPayload => ({ payload, signature, kind: 'ssh' });

const now = new Date();
const stamp = (date: Date) => date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
const past = stamp(new Date(now.getTime() - 86400000 * 400));
const future = stamp(new Date(now.getTime() + 86400000 * 400));

beforeAll(async () => {
  dir = tempDir('coord-hooks-sshsig-');
  const specs: [string, string, number?][] = [['ed', 'ed25519'], ['ec256', 'ecdsa', 256], ['ec384', 'ecdsa', 384], ['ec521', 'ecdsa', 521], ['rsa', 'rsa', 2048], ['other', 'ed25519']];
  for (const [name, type, bits] of specs) keys[name] = await makeKey(name, type, bits);
});

interface Case { name: string; principal: string; signers: string; signature: string; payload?: Buffer; expectOk: boolean }

async function compare(item: Case): Promise<void> {
  const payload = item.payload ?? PAYLOAD;
  const reference = await verifyWithSshKeygen(signed(item.signature, payload), item.principal, item.signers, env);
  const ours = await verifySshFor(signed(item.signature, payload), [item.principal], item.signers, env);
  expect({ case: item.name, ok: ours.ok }).toEqual({ case: item.name, ok: reference.ok });
  expect({ case: item.name, ok: reference.ok }).toEqual({ case: item.name, ok: item.expectOk });
  if (reference.ok) expect(ours.detail).toBe(reference.detail);
}

const line = (principal: string, key: Key, options = '') => `${principal} ${options ? `${options} ` : ''}${key.pub}`;

describe.each(['ed', 'ec256', 'ec384', 'ec521', 'rsa'])('%s key: same verdict as ssh-keygen -Y verify', (name) => {
  let good: string;
  beforeAll(async () => { good = await signWithKeygen(keys[name]); });

  test('verified in-process, not handed to ssh-keygen', () => {
    expect(verifySshsig(good, PAYLOAD, 'git').ok).toBe(true);
  });

  test('valid, tampered, wrong namespace, wrong principal, validity windows, namespace option', async () => {
    const key = keys[name];
    const cases: Case[] = [
      { name: 'valid', principal: 'fw', signers: `${line('fw', key, 'namespaces="git"')}\n`, signature: good, expectOk: true },
      { name: 'valid, no options, no final newline', principal: 'fw', signers: line('fw', key), signature: good, expectOk: true },
      { name: 'tampered payload', principal: 'fw', signers: line('fw', key), signature: good, payload: Buffer.concat([PAYLOAD, Buffer.from('x')]), expectOk: false },
      { name: 'tampered signature', principal: 'fw', signers: line('fw', key), signature: tamperSignature(good), expectOk: false },
      { name: 'wrong namespace', principal: 'fw', signers: line('fw', key), signature: await signWithKeygen(key, PAYLOAD, 'file'), expectOk: false },
      { name: 'wrong principal', principal: 'pm', signers: line('fw', key), signature: good, expectOk: false },
      { name: 'key of another principal', principal: 'fw', signers: `${line('fw', keys.other)}\n${line('pm', key)}\n`, signature: good, expectOk: false },
      { name: 'expired', principal: 'fw', signers: line('fw', key, `valid-before="${past}"`), signature: good, expectOk: false },
      { name: 'expired (UTC)', principal: 'fw', signers: line('fw', key, `valid-before="${past}Z"`), signature: good, expectOk: false },
      { name: 'not yet valid', principal: 'fw', signers: line('fw', key, `valid-after="${future.slice(0, 8)}"`), signature: good, expectOk: false },
      { name: 'inside its window', principal: 'fw', signers: line('fw', key, `valid-after="${past.slice(0, 12)}",valid-before="${future}Z"`), signature: good, expectOk: true },
      { name: 'window upside down', principal: 'fw', signers: line('fw', key, `valid-after="${future}",valid-before="${past}"`), signature: good, expectOk: false },
      { name: 'namespace not allowed', principal: 'fw', signers: line('fw', key, 'namespaces="file,email"'), signature: good, expectOk: false },
      { name: 'namespace pattern', principal: 'fw', signers: line('fw', key, 'namespaces="file,g?t"'), signature: good, expectOk: true },
      { name: 'expired line, then a valid one', principal: 'fw', signers: `${line('fw', key, 'valid-before="20200101"')}\n${line('fw', key)}\n`, signature: good, expectOk: true },
    ];
    for (const item of cases) await compare(item);
  });
});

describe('the signers file, read as ssh-keygen reads it', () => {
  let good: string;
  beforeAll(async () => { good = await signWithKeygen(keys.ed); });
  const key = () => keys.ed;

  test.each([
    ['principal patterns', () => line('f*,qa', key()), 'fw', true],
    ['a negated principal', () => line('!fw,*', key()), 'fw', false],
    ['a quoted principal list', () => `"pm,fw" ${key().pub}`, 'fw', true],
    ['comments, blank lines and leading blanks', () => `# signers\n\n   \t${line('fw', key())}\n`, 'fw', true],
    ['CRLF line ends', () => `${line('pm', keys.other)}\r\n${line('fw', key())}\r\n`, 'fw', true],
    ['an unknown option skips the line', () => line('fw', key(), 'no-touch-required'), 'fw', false],
    ['an unknown option, then a good line', () => `${line('fw', key(), 'bogus="1"')}\n${line('fw', key())}\n`, 'fw', true],
    ['option names in capitals', () => line('fw', key(), 'NAMESPACES="git",Valid-Before="20200101"'), 'fw', false],
    ['a repeated option skips the line', () => line('fw', key(), 'namespaces="git",namespaces="git"'), 'fw', false],
    ['an empty option is tolerated', () => line('fw', key(), ',namespaces="git"'), 'fw', true],
    ['a quoted space inside an option', () => line('fw', key(), 'namespaces="file, git"'), 'fw', false],
    ['an unterminated quote', () => line('fw', key(), 'namespaces="git'), 'fw', false],
    ['a malformed time', () => line('fw', key(), 'valid-before="2020-01-01"'), 'fw', false],
    ['a cert-authority line never matches a plain key', () => line('fw', key(), 'cert-authority'), 'fw', false],
    ['a key with a bad base64 tail', () => `fw ${key().pub.slice(0, -2)}==`, 'fw', false],
    ['a key of the wrong type name', () => `fw ssh-rsa ${key().pub.split(' ')[1]}`, 'fw', false],
    ['a line without a key', () => 'fw namespaces="git"\n', 'fw', false],
  ] as [string, () => string, string, boolean][])('%s', async (name, signers, principal, expectOk) => {
    await compare({ name, principal, signers: signers(), signature: good, expectOk });
  });

  test('signatures made here: rsa-sha2-256, sha256, version, reserved field, hash mismatch, ssh-rsa (sha1)', async () => {
    const rsa = line('fw', keys.rsa);
    const ed = line('fw', keys.ed);
    const cases: Case[] = [
      { name: 'rsa-sha2-256', principal: 'fw', signers: rsa, signature: handSign(keys.rsa, { sigType: 'rsa-sha2-256', hash: 'sha512' }), expectOk: true },
      { name: 'rsa, sha256 message hash', principal: 'fw', signers: rsa, signature: handSign(keys.rsa, { sigType: 'rsa-sha2-512', hash: 'sha256' }), expectOk: true },
      { name: 'rsa ssh-rsa (SHA-1) refused', principal: 'fw', signers: rsa, signature: handSign(keys.rsa, { sigType: 'ssh-rsa', hash: 'sha512' }), expectOk: false },
      { name: 'ed25519, sha256 message hash', principal: 'fw', signers: ed, signature: handSign(keys.ed, { sigType: 'ssh-ed25519', hash: 'sha256' }), expectOk: true },
      { name: 'version 2 refused', principal: 'fw', signers: ed, signature: handSign(keys.ed, { sigType: 'ssh-ed25519', hash: 'sha512', version: 2 }), expectOk: false },
      { name: 'reserved field not signed over', principal: 'fw', signers: ed, signature: handSign(keys.ed, { sigType: 'ssh-ed25519', hash: 'sha512', reserved: 'x' }), expectOk: true },
      { name: 'signed hash name differs from the declared one', principal: 'fw', signers: ed, signature: handSign(keys.ed, { sigType: 'ssh-ed25519', hash: 'sha512', signedHash: 'sha256' }), expectOk: false },
      { name: 'ecdsa signature type names another curve', principal: 'fw', signers: line('fw', keys.ec256), signature: handSign(keys.ec256, { sigType: 'ecdsa-sha2-nistp384', hash: 'sha512' }), expectOk: false },
      { name: 'truncated armor', principal: 'fw', signers: ed, signature: good.replace('-----END SSH SIGNATURE-----\n', ''), expectOk: false },
    ];
    for (const item of cases) await compare(item);
  });
});

test('a certificate signature is handed to ssh-keygen and verifies against a cert-authority line', async () => {
  await keygen(['-q', '-s', keys.other.path, '-I', 'fw-cert', '-n', 'fw', `${keys.ed.path}.pub`]);
  const signature = await signWithKeygen(`${keys.ed.path}-cert.pub`);
  expect(verifySshsig(signature, PAYLOAD, 'git').ok).toBe('unsupported');
  const signers = line('fw', keys.other, 'cert-authority');
  await compare({ name: 'certificate', principal: 'fw', signers, signature, expectOk: true });
  await compare({ name: 'certificate, other principal', principal: 'pm', signers: line('pm', keys.other, 'cert-authority'), signature, expectOk: false });
});

test('the checks only ssh-keygen decided before are each needed (unit)', () => {
  expect(matchPatternList('fw', 'pm,f?')).toBe(1);
  expect(matchPatternList('fw', 'f*,!fw')).toBe(-1);
  expect(matchPatternList('fw', 'pm')).toBe(0);
  expect(parseAbsoluteTime('20200101Z')).toBe(Date.UTC(2020, 0, 1) / 1000);
  expect(parseAbsoluteTime('202001011230UTC')).toBe(Date.UTC(2020, 0, 1, 12, 30) / 1000);
  expect(parseAbsoluteTime('2020010112')).toBe(0);
});
