/**
 * Push certificates from real `git push --signed`es into real bare repositories. A capturing
 * pre-receive hook records the environment git gives it and its standard input, and accepts the push
 * (so the certificate blob stays in the repository); the certificate is then read and verified
 * in-process exactly as the gate would, with the captured variables.
 */
import { createHash } from 'crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { CoordError } from '../../core/errors';
import { gitSync } from '../../git/run';
import { GitRepo } from '../../git/repo';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { cloneRepo, initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, enablePushCertificates } from '../../fixtures/server';
import { claimNonce, LEDGER_FILE } from '../../trust/push-cert-ledger';
import { describeMissingCertificate, readPushCertificate, verifyPushCertificate, type CertUpdate, type PushCertificate } from '../../trust/push-cert';
import type { Signers } from '../../trust/signers';

let root: string;
let env: NodeJS.ProcessEnv;
let server: Repo;
let architect: Repo;
let architectKey: SshKey;
let signers: Signers;
let ledgers = 0;

interface Captured {
  /** GIT_PUSH_CERT* and GIT_PUSH_OPTION* as the hook saw them. */
  certEnv: NodeJS.ProcessEnv;
  updates: CertUpdate[];
}

function captureHook(repo: Repo): string {
  const dir = join(root, `capture-${repo.dir.split('/').pop()}`);
  mkdirSync(dir, { recursive: true });
  const path = join(repo.dir, 'hooks', 'pre-receive');
  writeFileSync(path, `#!/bin/sh\nenv > '${dir}/env'\ncat > '${dir}/stdin'\nexit 0\n`);
  chmodSync(path, 0o755);
  return dir;
}

function captured(repo: Repo): Captured {
  const dir = join(root, `capture-${repo.dir.split('/').pop()}`);
  const certEnv: NodeJS.ProcessEnv = {};
  for (const line of readFileSync(join(dir, 'env'), 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    const name = line.slice(0, eq);
    if (name.startsWith('GIT_PUSH_CERT') || name.startsWith('GIT_PUSH_OPTION')) certEnv[name] = line.slice(eq + 1);
  }
  const updates = readFileSync(join(dir, 'stdin'), 'utf8').split('\n').filter(Boolean).map((line) => {
    const [old, next, ref] = line.split(' ');
    return { old, new: next, ref };
  });
  return { certEnv, updates };
}

function pushFrom(repo: Repo, args: string[], into: Repo = server): Captured {
  repo.git(['push', '-q', 'origin', ...args]);
  return captured(into);
}

async function read(certEnv: NodeJS.ProcessEnv, repo: Repo = server): Promise<PushCertificate | null> {
  const git = new GitRepo(repo.dir, env);
  try {
    return await readPushCertificate(git, { ...env, ...certEnv });
  } finally {
    git.close();
  }
}

function freshLedger(): string {
  ledgers += 1;
  return join(root, `ledger-${ledgers}`);
}

async function verify(push: Captured, overrides: { principals?: string[]; updates?: CertUpdate[]; certEnv?: NodeJS.ProcessEnv; ledgerDir?: string; slopSeconds?: number; now?: number } = {}) {
  const certEnv = { ...push.certEnv, ...overrides.certEnv };
  const cert = await read(certEnv);
  if (!cert) throw new Error('no certificate');
  return verifyPushCertificate(cert, {
    principals: overrides.principals ?? ['architect'], signers, env: { ...env, ...certEnv },
    updates: overrides.updates ?? push.updates, ledgerDir: overrides.ledgerDir ?? freshLedger(),
    slopSeconds: overrides.slopSeconds, now: overrides.now,
  });
}

function makeServer(name: string): Repo {
  const repo = initRepo(join(root, name), env, { bare: true });
  enablePushCertificates(repo);
  captureHook(repo);
  return repo;
}

beforeAll(async () => {
  root = tempDir('coord-push-cert-');
  const home = join(root, 'home');
  mkdirSync(home);
  env = isolatedEnv(home);
  writeFileSync(join(home, '.gitconfig'), '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n');
  server = makeServer('server.git');
  architectKey = await makeSshKey(home, 'architect');
  const fwKey = await makeSshKey(home, 'fw');
  signers = { key: 'test', ssh: [signersLine('architect', architectKey), signersLine('fw', fwKey)].join('\n') + '\n', pgp: new Map() };
  architect = cloneRepo(server.dir, join(root, 'architect'), env);
  configureSigning(architect, architectKey);
  architect.commit('first', { 'README.md': 'hello\n' });
  architect.git(['push', '-q', 'origin', 'main']);
});

afterAll(() => removeDir(root));

test('a signed push gives a certificate that lists exactly its updates and verifies for the signer', async () => {
  architect.commit('second', { 'a.txt': 'a\n' });
  architect.git(['branch', '-f', 'side']);
  const push = pushFrom(architect, ['main', 'side']);
  const cert = await read(push.certEnv);
  expect(cert).not.toBeNull();
  if (!cert) throw new Error('no push certificate was recorded');
  expect(cert.version).toBe('0.1');
  expect(cert.kind).toBe('ssh');
  expect(cert.pushee).toBe(server.dir);
  expect(cert.nonce).toBe(push.certEnv.GIT_PUSH_CERT_NONCE);
  expect(cert.nonceStatus).toBe('OK');
  expect(cert.pusher.timestamp).toBeGreaterThan(0);
  expect(cert.updates).toEqual(push.updates);
  expect(cert.updates.map((update) => update.ref).sort()).toEqual(['refs/heads/main', 'refs/heads/side']);
  expect(cert.payload.toString('utf8').endsWith(`${push.updates[push.updates.length - 1].ref}\n`)).toBe(true);
  expect(cert.signature.startsWith('-----BEGIN SSH SIGNATURE-----\n')).toBe(true);
  await expect(verify(push, { principals: ['fw', 'architect'] })).resolves.toEqual({ ok: true, principal: 'architect' });
});

test('the certificate does not count for a principal whose key did not sign it', async () => {
  architect.commit('third', { 'b.txt': 'b\n' });
  const push = pushFrom(architect, ['main']);
  const verdict = await verify(push, { principals: ['fw'] });
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.detail).toMatch(/not signed by fw.*key listed for fw/);
});

test('a push signed by a key nobody lists does not verify', async () => {
  const stranger = cloneRepo(server.dir, join(root, 'stranger'), env);
  configureSigning(stranger, await makeSshKey(join(root, 'home'), 'stranger'));
  stranger.git(['checkout', '-q', '-b', 'stranger']);
  stranger.commit('stranger', { 's.txt': 's\n' });
  const verdict = await verify(pushFrom(stranger, ['stranger']));
  expect(verdict.ok).toBe(false);
});

test('an unsigned push has no certificate, and the reason says how to sign', async () => {
  architect.commit('unsigned push', { 'c.txt': 'c\n' });
  architect.git(['-c', 'push.gpgSign=false', 'push', '-q', 'origin', 'main']);
  const unsigned = captured(server);
  expect(unsigned.certEnv.GIT_PUSH_CERT).toBeUndefined();
  await expect(read(unsigned.certEnv)).resolves.toBeNull();
  await expect(read({ GIT_PUSH_CERT: '' })).resolves.toBeNull();
  const git = new GitRepo(server.dir, env);
  try {
    expect(await describeMissingCertificate(git, { ...env, ...unsigned.certEnv })).toMatch(/not signed.*git push --signed.*push\.gpgSign if-asked/);
  } finally {
    git.close();
  }
});

test('a server without receive.certNonceSeed never asks; the reason names the setting', async () => {
  const plain = initRepo(join(root, 'plain.git'), env, { bare: true });
  captureHook(plain);
  const clone = cloneRepo(server.dir, join(root, 'plain-clone'), env);
  configureSigning(clone, architectKey);
  clone.git(['remote', 'add', 'plain', plain.dir]);
  const refused = clone.tryGit(['push', '--signed', 'plain', 'main']);
  expect(refused.code).not.toBe(0);
  expect(refused.stderr).toContain('does not support --signed push');
  clone.git(['push', '-q', 'plain', 'main']); // push.gpgSign=if-asked: unsigned, since nobody asked
  const push = captured(plain);
  await expect(read(push.certEnv, plain)).resolves.toBeNull();
  const git = new GitRepo(plain.dir, env);
  try {
    expect(await describeMissingCertificate(git, { ...env, ...push.certEnv })).toMatch(/receive\.certNonceSeed is not set.*install --server/);
  } finally {
    git.close();
  }
});

test('updates the certificate does not list identically, or lines the push does not make, fail', async () => {
  architect.commit('fourth', { 'e.txt': 'e\n' });
  const push = pushFrom(architect, ['main']);
  const [main] = push.updates;
  const other = architect.rev('HEAD~2');
  const cases: [CertUpdate[], RegExp][] = [
    [[{ ...main, new: other }], /lists refs\/heads\/main as .* but the push moves it/],
    [[{ ...main, old: other }], /lists refs\/heads\/main as .* but the push moves it/],
    [[main, { old: main.old, new: main.new, ref: 'refs/heads/extra' }], /does not cover refs\/heads\/extra/],
    [[{ ...main, ref: 'refs/heads/elsewhere' }], /does not cover refs\/heads\/elsewhere/],
    [[], /lists refs\/heads\/main, which this push does not update/],
  ];
  for (const [updates, message] of cases) {
    const verdict = await verify(push, { updates });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.detail).toMatch(message);
  }
});

test('a certificate counts once: verifying it again with the same ledger fails as a replay', async () => {
  architect.commit('fifth', { 'f.txt': 'f\n' });
  const push = pushFrom(architect, ['main']);
  const ledgerDir = freshLedger();
  await expect(verify(push, { ledgerDir })).resolves.toEqual({ ok: true, principal: 'architect' });
  const again = await verify(push, { ledgerDir });
  expect(again.ok).toBe(false);
  if (!again.ok) expect(again.detail).toMatch(/certificate was already used in this repository/);
  const lines = readFileSync(join(ledgerDir, LEDGER_FILE), 'utf8').trim().split('\n');
  expect(lines).toEqual([expect.stringMatching(new RegExp(` ${push.certEnv.GIT_PUSH_CERT_NONCE}/[0-9a-f]{40}$`))]);
});

test('the nonce is recorded even when the certificate fails a later check', async () => {
  architect.commit('sixth', { 'g.txt': 'g\n' });
  const push = pushFrom(architect, ['main']);
  const ledgerDir = freshLedger();
  expect((await verify(push, { ledgerDir, principals: ['fw'] })).ok).toBe(false);
  const replay = await verify(push, { ledgerDir });
  expect(replay.ok).toBe(false);
  if (!replay.ok) expect(replay.detail).toMatch(/already used/);
  const unwritable = await verify(push, { ledgerDir: join(root, 'home', '.gitconfig', 'ledger') });
  expect(unwritable.ok).toBe(false);
  if (!unwritable.ok) expect(unwritable.detail).toMatch(/cannot record the push certificate's nonce/);
});

test('nonce statuses other than OK fail, each with its reason; SLOP only within the allowed seconds', async () => {
  architect.commit('seventh', { 'h.txt': 'h\n' });
  const push = pushFrom(architect, ['main']);
  const nonce = push.certEnv.GIT_PUSH_CERT_NONCE as string;
  const stamp = Number(nonce.split('-')[0]);
  const cases: [NodeJS.ProcessEnv, RegExp][] = [
    [{ GIT_PUSH_CERT_NONCE_STATUS: 'BAD' }, /not issued by this repository for this push/],
    [{ GIT_PUSH_CERT_NONCE_STATUS: 'UNSOLICITED' }, /did not ask for.*receive\.certNonceSeed/],
    [{ GIT_PUSH_CERT_NONCE_STATUS: 'MISSING' }, /has no nonce/],
    [{ GIT_PUSH_CERT_NONCE_STATUS: '' }, /did not ask for a signed push/],
    [{ GIT_PUSH_CERT_NONCE_STATUS: 'WHATEVER' }, /unknown nonce status/],
    [{ GIT_PUSH_CERT_NONCE: `${stamp}-${'0'.repeat(40)}` }, /not the one the server issued/],
    [{ GIT_PUSH_CERT_NONCE_STATUS: 'SLOP', GIT_PUSH_CERT_NONCE_SLOP: '100' }, /stale.*off by 100s; at most 0s/],
  ];
  for (const [certEnv, message] of cases) {
    const verdict = await verify(push, { certEnv });
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.detail).toMatch(message);
  }
  const slop = { GIT_PUSH_CERT_NONCE_STATUS: 'SLOP', GIT_PUSH_CERT_NONCE_SLOP: '20', GIT_PUSH_CERT_NONCE: `${stamp + 20}-${'0'.repeat(40)}` };
  const late = await verify(push, { certEnv: slop, slopSeconds: 30, now: stamp + 40 });
  expect(late.ok).toBe(false);
  if (!late.ok) expect(late.detail).toMatch(/off by 20s; at most 30s/);
  await expect(verify(push, { certEnv: slop, slopSeconds: 30, now: stamp + 20 })).resolves.toEqual({ ok: true, principal: 'architect' });
  const old = await verify(push, { now: stamp + 25 * 3600 });
  expect(old.ok).toBe(false);
  if (!old.ok) expect(old.detail).toMatch(/more than 24 hours old/);
});

/** pkt-line framing of git's wire protocol. */
function pkt(line: string): string {
  return (line.length + 4).toString(16).padStart(4, '0') + line;
}

/** An empty pack: the protocol requires one for creations and updates even when no object is new. */
function emptyPack(): Buffer {
  const head = Buffer.from([0x50, 0x41, 0x43, 0x4b, 0, 0, 0, 2, 0, 0, 0, 0]);
  return Buffer.concat([head, createHash('sha1').update(head).digest()]);
}

/** Sends an old certificate to receive-pack as a client would send a new one: a replay. */
function replay(certificate: Buffer, into: Repo): void {
  const lines = certificate.toString('utf8').split(/(?<=\n)/);
  const request = pkt('push-cert\0report-status') + lines.map(pkt).join('') + pkt('push-cert-end\n') + '0000';
  gitSync(['receive-pack', into.dir], { cwd: root, env, input: Buffer.concat([Buffer.from(request, 'utf8'), emptyPack()]), okCodes: [1, 128] });
}

test('a certificate replayed on the wire gets nonce status BAD, in the same repository or another', async () => {
  architect.commit('eighth', { 'i.txt': 'i\n' });
  const push = pushFrom(architect, ['main']);
  const cert = await read(push.certEnv);
  if (!cert) throw new Error('no certificate');
  const blob = gitSync(['cat-file', 'blob', cert.oid], { cwd: server.dir, env }).stdout;
  // Replays must come in a later second: within the same second the server issues the same nonce,
  // and only the ledger tells the two pushes apart.
  while (Math.floor(Date.now() / 1000) <= Number(cert.nonce?.split('-')[0])) await new Promise((resolve) => setTimeout(resolve, 100));

  const second = makeServer('second.git');
  architect.git(['remote', 'add', 'second', second.dir]);
  architect.git(['-c', 'push.gpgSign=false', 'push', '-q', 'second', 'HEAD~1:refs/heads/main']);
  for (const target of [server, second]) {
    replay(blob, target);
    const replayed = captured(target);
    expect(replayed.certEnv.GIT_PUSH_CERT).toBe(cert.oid);
    expect(replayed.certEnv.GIT_PUSH_CERT_NONCE_STATUS).toBe('BAD');
    expect(replayed.certEnv.GIT_PUSH_CERT_NONCE).not.toBe(cert.nonce);
    expect(replayed.updates).toEqual(cert.updates);
    const verdict = await verify(replayed);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.detail).toMatch(/not issued by this repository/);
  }
});

test('a certificate changed after signing fails the signature check; a malformed one is refused', async () => {
  architect.commit('ninth', { 'j.txt': 'j\n' });
  const push = pushFrom(architect, ['main']);
  const original = gitSync(['cat-file', 'blob', push.certEnv.GIT_PUSH_CERT as string], { cwd: server.dir, env }).stdout.toString('utf8');
  const tampered = original.replace(' refs/heads/main\n', ' refs/heads/evil\n');
  expect(tampered).not.toBe(original);
  const oid = server.git(['hash-object', '-w', '--stdin'], tampered);
  const updates = push.updates.map((update) => ({ ...update, ref: 'refs/heads/evil' }));
  const verdict = await verify(push, { certEnv: { GIT_PUSH_CERT: oid }, updates });
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.detail).toMatch(/not signed by architect/);

  const malformed: [string, RegExp][] = [
    [original.replace('\n\n', '\n'), /no empty line/],
    [original.replace('certificate version 0.1', 'certificate version 0.2'), /first line/],
    [original.replace(/\nnonce /, '\nsurprise '), /unknown header/],
    [original.replace(/(\npushee [^\n]*)/, '$1$1'), /repeated or out of order/],
    [original.replace(/-----BEGIN SSH SIGNATURE-----[^]*$/, ''), /no signature block/],
    [original.replace(' refs/heads/main\n', ' main\n'), /not an update line/],
  ];
  for (const [text, message] of malformed) {
    const bad = server.git(['hash-object', '-w', '--stdin'], text);
    const error = await read({ ...push.certEnv, GIT_PUSH_CERT: bad }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordError);
    expect((error as CoordError).message).toMatch(message);
  }
});

test('push options are part of the certificate and must match those of the push', async () => {
  server.git(['config', 'receive.advertisePushOptions', 'true']);
  architect.commit('tenth', { 'k.txt': 'k\n' });
  const push = pushFrom(architect, ['-o', 'ci.skip', 'main']);
  const cert = await read(push.certEnv);
  expect(cert?.pushOptions).toEqual(['ci.skip']);
  await expect(verify(push)).resolves.toEqual({ ok: true, principal: 'architect' });
  const verdict = await verify(push, { certEnv: { GIT_PUSH_OPTION_0: 'other' } });
  expect(verdict.ok).toBe(false);
  if (!verdict.ok) expect(verdict.detail).toMatch(/push options differ/);
});

test('the ledger: concurrent claims of one nonce, one winner; entries older than 24 hours pruned', async () => {
  const ledgerDir = freshLedger();
  const claims = await Promise.all(Array.from({ length: 8 }, () => claimNonce(ledgerDir, '1700000000-abc', 1700000000)));
  expect(claims.filter((claim) => claim.claimed)).toHaveLength(1);
  await claimNonce(ledgerDir, '1700000001-def', 1700000001);
  const day = 24 * 3600;
  await expect(claimNonce(ledgerDir, '1700000000-abc', 1700000000 + day - 1)).resolves.toEqual({ claimed: false, recordedAt: 1700000000 });
  await expect(claimNonce(ledgerDir, 'later', 1700000000 + day)).resolves.toEqual({ claimed: true });
  expect(readFileSync(join(ledgerDir, LEDGER_FILE), 'utf8')).toBe(`1700000001 1700000001-def\n${1700000000 + day} later\n`);
});
