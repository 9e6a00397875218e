/** OpenPGP verification with real gpg keys: good, foreign, tampered, expired, revoked, subkey signatures, and a git-signed done-tag. */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { initRepo, isolatedEnv, removeDir, tempDir } from '../../fixtures/repo';
import { primaryFingerprints, verdictFromStatus, verifyPgpSignature } from '../../trust/openpgp';
import type { SignedPayload } from '../../trust/signature';
import { splitSignedTag } from '../../trust/signature';
import { verifyDoneTag } from '../../trust/verify';
import { GitRepo } from '../../git/repo';

let root: string;
let n = 0;

interface PgpKey { home: string; fpr: string; armored: string }

async function gpg(home: string, args: string[], input?: string) {
  const result = await runProcess('gpg', ['--batch', '--passphrase', '', '--pinentry-mode', 'loopback', ...args], { env: { ...process.env, GNUPGHOME: home }, input });
  if (result.code !== 0) throw new Error(`gpg ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

async function makeKey(uid: string, options: { faked?: string; usage?: string; expire?: string } = {}): Promise<PgpKey> {
  const home = join(root, `gpg-${n++}`);
  mkdirSync(home, { mode: 0o700 });
  const faked = options.faked ? ['--faked-system-time', options.faked] : [];
  await gpg(home, [...faked, '--quick-gen-key', uid, 'ed25519', options.usage ?? 'sign', options.expire ?? '1y']);
  const fpr = primaryFingerprints(await gpg(home, ['--with-colons', '--fingerprint']))[0];
  return { home, fpr, armored: await gpg(home, ['--armor', '--export', fpr]) };
}

async function detachSign(key: PgpKey, payload: string, faked?: string): Promise<SignedPayload> {
  const signature = await gpg(key.home, [...(faked ? ['--faked-system-time', faked] : []), '--detach-sign', '--armor', '-u', key.fpr], payload);
  return { payload: Buffer.from(payload), signature, kind: 'openpgp' };
}

let fw: PgpKey;
beforeAll(async () => {
  root = tempDir('coord-hooks-pgp-');
  fw = await makeKey('fw <fw@example.invalid>');
});
afterAll(async () => {
  for (const dir of readdirSync(root).filter((name) => name.startsWith('gpg-'))) {
    await runProcess('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: join(root, dir) } });
  }
  removeDir(root);
});

test('a good signature by a listed key verifies, naming the primary fingerprint', async () => {
  const result = await verifyPgpSignature(await detachSign(fw, 'payload\n'), fw.armored, process.env);
  expect(result).toEqual({ ok: true, detail: `Good OpenPGP signature by ${fw.fpr}` });
});

test('a signature by a key that is not listed does not verify', async () => {
  const other = await makeKey('other <other@example.invalid>');
  const result = await verifyPgpSignature(await detachSign(other, 'payload\n'), fw.armored, process.env);
  expect(result.ok).toBe(false);
  expect(result.detail).toMatch(/no listed key/);
});

test('a changed payload does not verify', async () => {
  const signed = await detachSign(fw, 'payload\n');
  const result = await verifyPgpSignature({ ...signed, payload: Buffer.from('payload!\n') }, fw.armored, process.env);
  expect(result.ok).toBe(false);
  expect(result.detail).toMatch(/bad signature/);
});

test('an expired key is refused with the reason', async () => {
  const old = await makeKey('old <old@example.invalid>', { faked: '20200101T000000!', expire: '1y' });
  const result = await verifyPgpSignature(await detachSign(old, 'payload\n', '20200601T000000!'), old.armored, process.env);
  expect(result.ok).toBe(false);
  expect(result.detail).toMatch(/expired/);
});

test('a revoked key is refused with the reason', async () => {
  const key = await makeKey('revoked <revoked@example.invalid>');
  const signed = await detachSign(key, 'payload\n');
  const certificate = readFileSync(join(key.home, 'openpgp-revocs.d', `${key.fpr}.rev`), 'utf8').replace(/^:-----BEGIN/m, '-----BEGIN');
  writeFileSync(join(key.home, 'rev.asc'), certificate);
  await gpg(key.home, ['--import', join(key.home, 'rev.asc')]);
  const revoked = await gpg(key.home, ['--armor', '--export', key.fpr]);
  const result = await verifyPgpSignature(signed, revoked, process.env);
  expect(result.ok).toBe(false);
  expect(result.detail).toMatch(/revoked/);
});

test('a signature by a signing subkey counts for its primary key', async () => {
  const key = await makeKey('sub <sub@example.invalid>', { usage: 'cert' });
  await gpg(key.home, ['--quick-add-key', key.fpr, 'ed25519', 'sign', '1y']);
  const armored = await gpg(key.home, ['--armor', '--export', key.fpr]);
  const signed = await detachSign({ ...key, armored }, 'payload\n');
  expect(await verifyPgpSignature(signed, armored, process.env)).toEqual({ ok: true, detail: `Good OpenPGP signature by ${key.fpr}` });
});

test('VALIDSIG is only trusted for the imported primary keys', () => {
  const status = `[GNUPG:] GOODSIG 1111 x\n[GNUPG:] VALIDSIG AAAA 2026-01-01 1 0 4 0 22 8 00 BBBB\n`;
  expect(verdictFromStatus(status, ['BBBB']).ok).toBe(true);
  expect(verdictFromStatus(status, ['AAAA']).ok).toBe(false);
  expect(verdictFromStatus('', ['BBBB']).ok).toBe(false);
});

test('a done-tag signed by git with OpenPGP verifies against .coord/openpgp/<team>.asc', async () => {
  const env = isolatedEnv(join(root, 'home'), { GNUPGHOME: fw.home });
  mkdirSync(join(root, 'home'), { recursive: true });
  const clone = initRepo(join(root, 'repo'), env);
  const commit = clone.commit('work');
  clone.git(['-c', 'gpg.format=openpgp', '-c', `user.signingkey=${fw.fpr}`, 'tag', '-s', '-m', 'round 1 done by fw', 'round-1/done/fw', commit]);
  const oid = clone.rev('refs/tags/round-1/done/fw');
  const repo = new GitRepo(clone.dir, env);
  try {
    const signers = { key: 'k', ssh: '', pgp: new Map([['fw', fw.armored]]) };
    const good = await verifyDoneTag(repo, oid, 1, 'fw', signers, env);
    expect(good.ok).toBe(true);
    expect(good.signer).toBe(`fw (Good OpenPGP signature by ${fw.fpr})`);
    const wrongTeam = await verifyDoneTag(repo, oid, 1, 'fw', { ...signers, pgp: new Map([['pm', fw.armored]]) }, env);
    expect(wrongTeam.ok).toBe(false);
    expect(splitSignedTag((await repo.objects().read(oid))!.content)?.kind).toBe('openpgp');
  } finally {
    repo.close();
  }
});
