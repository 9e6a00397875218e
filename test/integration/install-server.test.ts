/**
 * Server hooks in a real bare repository, exercised by real `git push`es from a clone. The hook scripts
 * run a stub CLI (see install-stub.ts) so these tests depend only on the install mechanism.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runCli } from '../../cli/run';
import { CoordError } from '../../core/errors';
import { cloneRepo, initRepo, isolatedEnv, removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning } from '../../fixtures/server';
import { makeSshKey } from '../../fixtures/keys';
import { formatInstallSummary, formatUninstallSummary, HOOK_MARKER, installServerHooks, runtimePaths, uninstallServerHooks } from '../../hooks/install';
import { modeOf, StubCli } from './install-stub';

let root: string;
let env: NodeJS.ProcessEnv;
let server: Repo;
let clone: Repo;
let stub: StubCli;
let hooksDir: string;

beforeEach(() => {
  root = tempDir('coord-install-server-');
  env = isolatedEnv(join(root, 'home'));
  server = initRepo(join(root, 'server.git'), env, { bare: true });
  clone = cloneRepo(server.dir, join(root, 'clone'), env);
  stub = new StubCli(root);
  hooksDir = join(server.dir, 'hooks');
});

afterEach(() => removeDir(root));

const install = () => installServerHooks(server.dir, { env, cliPath: stub.path });

function push(repo: Repo = clone, ref = 'HEAD:refs/heads/main') {
  return repo.tryGit(['push', 'origin', ref]);
}

/** A pre-existing hook that records its arguments and input, and exits with `code`. */
function foreignHook(name: string, code = 0, mode = 0o755): Buffer {
  const bytes = Buffer.from(`#!/bin/sh\n# someone else's ${name}\r\necho "$@" > "${root}/${name}.args"\ncat > "${root}/${name}.input"\nexit ${code}\n`);
  writeFileSync(join(hooksDir, name), bytes);
  chmodSync(join(hooksDir, name), mode);
  return bytes;
}

describe('installServerHooks', () => {
  test('writes executable scripts with the marker and the absolute node and CLI paths', async () => {
    const summary = await install();
    expect(summary.hooks.map((hook) => [hook.hook, hook.action])).toEqual([['pre-receive', 'installed'], ['post-receive', 'installed']]);
    expect(summary.hooksDir).toBe(hooksDir);
    for (const name of ['pre-receive', 'post-receive']) {
      const path = join(hooksDir, name);
      const script = readFileSync(path, 'utf8');
      expect(script.startsWith('#!/bin/sh\n')).toBe(true);
      expect(script).toContain(HOOK_MARKER);
      expect(script).toContain(`NODE='${process.execPath}'`);
      expect(script).toContain(`CLI='${stub.path}'`);
      expect(script).toContain(`hook ${name} "$@"`);
      expect(statSync(path).mode & 0o111).toBe(0o111);
    }
  });

  test('a push runs our pre-receive with the ref updates on stdin; post-receive logs it without node', async () => {
    await install();
    const commit = clone.commit('first', { 'a.txt': 'a\n' });
    const result = push();
    expect(result.code).toBe(0);
    expect(server.rev('refs/heads/main')).toBe(commit);
    const calls = stub.calls();
    expect(calls.map((call) => call.hook)).toEqual(['pre-receive']);
    expect(calls[0].input).toBe(`${'0'.repeat(40)} ${commit} refs/heads/main\n`);
    expect(calls[0].running).toBe('1');
    expect(readFileSync(join(server.dir, 'coord-hooks', 'audit.jsonl'), 'utf8')).toContain(`"ref":"refs/heads/main","old":"${'0'.repeat(40)}","new":"${commit}"`);
  });

  test('a push with a round tag runs our post-receive too (round completion)', async () => {
    await install();
    clone.commit('first', { 'a.txt': 'a\n' });
    clone.git(['tag', '-a', '-m', 'done', 'round-1/done/fw']);
    expect(push(clone, 'refs/tags/round-1/done/fw').code).toBe(0);
    expect(stub.calls().map((call) => call.hook)).toEqual(['pre-receive', 'post-receive']);
  });

  test('our pre-receive failing rejects the push (fail closed)', async () => {
    await install();
    stub.exitWith(1);
    clone.commit('first', { 'a.txt': 'a\n' });
    const result = push();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('stub pre-receive: rejected by the stub');
    expect(server.tryGit(['rev-parse', '--verify', '--quiet', 'refs/heads/main']).code).not.toBe(0);
  });

  test('an existing pre-receive is chained: kept byte for byte, run first with the same input', async () => {
    const original = foreignHook('pre-receive');
    const summary = await install();
    expect(summary.hooks[0]).toMatchObject({ hook: 'pre-receive', action: 'chained', chainedPath: join(hooksDir, 'pre-receive.coord-hooks-chained') });
    expect(readFileSync(join(hooksDir, 'pre-receive.coord-hooks-chained')).equals(original)).toBe(true);
    const commit = clone.commit('first', { 'a.txt': 'a\n' });
    expect(push().code).toBe(0);
    const input = readFileSync(join(root, 'pre-receive.input'), 'utf8');
    expect(input).toBe(`${'0'.repeat(40)} ${commit} refs/heads/main\n`);
    expect(stub.calls()[0]).toMatchObject({ hook: 'pre-receive', input });
  });

  test('a chained pre-receive that fails rejects the push with its exit code, and ours does not run', async () => {
    foreignHook('pre-receive', 3);
    await install();
    clone.commit('first', { 'a.txt': 'a\n' });
    const result = push();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/pre-receive hook declined/);
    expect(existsSync(join(root, 'pre-receive.input'))).toBe(true);
    expect(stub.hooksCalled()).toEqual([]);
    expect(server.tryGit(['rev-parse', '--verify', '--quiet', 'refs/heads/main']).code).not.toBe(0);
  });

  test('a chained post-receive that fails does not stop ours', async () => {
    foreignHook('post-receive', 4);
    await install();
    clone.commit('first', { 'a.txt': 'a\n' });
    expect(push().code).toBe(0);
    expect(stub.hooksCalled()).toEqual(['pre-receive']); // no round tag: our post-receive needs no node
    expect(readFileSync(join(root, 'post-receive.input'), 'utf8')).toMatch(/refs\/heads\/main\n$/);
    expect(readFileSync(join(server.dir, 'coord-hooks', 'audit.jsonl'), 'utf8')).toContain('"event":"accepted"');
  });

  test('re-installing is idempotent and never chains our own script', async () => {
    const original = foreignHook('pre-receive');
    await install();
    const before = Object.fromEntries(readdirSync(hooksDir).map((name) => [name, readFileSync(join(hooksDir, name))]));
    const again = await install();
    expect(again.hooks.map((hook) => hook.action)).toEqual(['unchanged', 'unchanged']);
    const after = Object.fromEntries(readdirSync(hooksDir).map((name) => [name, readFileSync(join(hooksDir, name))]));
    expect(after).toEqual(before);
    expect(readFileSync(join(hooksDir, 'pre-receive.coord-hooks-chained')).equals(original)).toBe(true);
    // A new CLI path rewrites ours, still without chaining it.
    writeFileSync(join(root, 'other-cli.js'), '');
    const other = await installServerHooks(server.dir, { env, cliPath: join(root, 'other-cli.js') });
    expect(other.hooks.map((hook) => hook.action)).toEqual(['updated', 'updated']);
    expect(readdirSync(hooksDir).filter((name) => name.includes('chained'))).toEqual(['pre-receive.coord-hooks-chained']);
  });

  test('uninstall restores the chained hooks byte for byte, mode included, and removes the rest', async () => {
    const original = foreignHook('pre-receive', 0, 0o750);
    await install();
    const summary = await uninstallServerHooks(server.dir, { env });
    expect(summary.hooks.map((hook) => [hook.hook, hook.action])).toEqual([['pre-receive', 'restored'], ['post-receive', 'removed']]);
    expect(readFileSync(join(hooksDir, 'pre-receive')).equals(original)).toBe(true);
    expect(modeOf(join(hooksDir, 'pre-receive'))).toBe(0o750);
    expect(existsSync(join(hooksDir, 'pre-receive.coord-hooks-chained'))).toBe(false);
    expect(existsSync(join(hooksDir, 'post-receive'))).toBe(false);
    const again = await uninstallServerHooks(server.dir, { env });
    expect(again.hooks.map((hook) => hook.action)).toEqual(['not-ours', 'absent']);
    expect(readFileSync(join(hooksDir, 'pre-receive')).equals(original)).toBe(true);
  });

  test('a symlinked hook is chained as the same symlink and put back as one', async () => {
    const shared = join(root, 'shared-pre-receive');
    writeFileSync(shared, `#!/bin/sh\ncat > "${root}/pre-receive.input"\n`);
    chmodSync(shared, 0o755);
    symlinkSync('../../shared-pre-receive', join(hooksDir, 'pre-receive'));
    await install();
    expect(readlinkSync(join(hooksDir, 'pre-receive.coord-hooks-chained'))).toBe('../../shared-pre-receive');
    clone.commit('first', { 'a.txt': 'a\n' });
    expect(push().code).toBe(0);
    expect(existsSync(join(root, 'pre-receive.input'))).toBe(true);
    await uninstallServerHooks(server.dir, { env });
    expect(readlinkSync(join(hooksDir, 'pre-receive'))).toBe('../../shared-pre-receive');
  });

  test('a hook that is not executable is kept but not run, as git did not run it', async () => {
    foreignHook('pre-receive', 1, 0o644);
    const summary = await install();
    expect(summary.hooks[0].note).toMatch(/not executable/);
    clone.commit('first', { 'a.txt': 'a\n' });
    expect(push().code).toBe(0);
    expect(existsSync(join(root, 'pre-receive.input'))).toBe(false);
    await uninstallServerHooks(server.dir, { env });
    expect(modeOf(join(hooksDir, 'pre-receive'))).toBe(0o644);
  });

  test('uninstall leaves a hook that is not ours alone', async () => {
    await install();
    const foreign = foreignHook('post-receive', 0, 0o700);
    const summary = await uninstallServerHooks(server.dir, { env });
    expect(summary.hooks.map((hook) => hook.action)).toEqual(['removed', 'not-ours']);
    expect(readFileSync(join(hooksDir, 'post-receive')).equals(foreign)).toBe(true);
    expect(modeOf(join(hooksDir, 'post-receive'))).toBe(0o700);
  });

  test('a different hook where a chained one is kept is refused, and nothing changes', async () => {
    foreignHook('pre-receive');
    await install();
    foreignHook('pre-receive', 5);
    const bytes = readFileSync(join(hooksDir, 'pre-receive'));
    await expect(install()).rejects.toThrow(/already holds another chained hook/);
    expect(readFileSync(join(hooksDir, 'pre-receive')).equals(bytes)).toBe(true);
  });

  test('node gone since install: the push is rejected, naming what is missing and the fix', async () => {
    await install();
    const path = join(hooksDir, 'pre-receive');
    writeFileSync(path, readFileSync(path, 'utf8').replace(/^NODE=.*$/m, `NODE='${root}/gone/node'`));
    clone.commit('first', { 'a.txt': 'a\n' });
    const result = push();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`coord-hooks: pre-receive: node is missing at ${root}/gone/node`);
    expect(result.stderr).toContain(`re-run \`coord-hooks install --server --repo ${server.dir}\``);
    expect(stub.hooksCalled()).toEqual([]);
    expect(server.tryGit(['rev-parse', '--verify', '--quiet', 'refs/heads/main']).code).not.toBe(0);
  });

  test('CLI gone since install: the push is rejected too', async () => {
    await install();
    removeDir(stub.path);
    clone.commit('first', { 'a.txt': 'a\n' });
    const result = push();
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`the coord-hooks CLI is missing at ${stub.path}`);
  });

  test('COORD_HOOKS=0 and COORD_HOOKS_RUNNING=1 in the pusher\'s environment do not switch the gate off', async () => {
    await install();
    stub.exitWith(1);
    const pusher = cloneRepo(server.dir, join(root, 'pusher'), { ...env, COORD_HOOKS: '0', COORD_HOOKS_RUNNING: '1' });
    pusher.commit('first', { 'a.txt': 'a\n' });
    const result = pusher.tryGit(['push', 'origin', 'HEAD:refs/heads/main']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).not.toContain('skipped');
    expect(stub.hooksCalled()).toEqual(['pre-receive']);
    expect(stub.calls()[0].coordHooks).toBeUndefined();
  });

  test('refuses what is not a bare repository, naming the fix', async () => {
    await expect(installServerHooks(clone.dir, { env, cliPath: stub.path })).rejects.toThrow(/is not a bare repository/);
    await expect(installServerHooks(root, { env, cliPath: stub.path })).rejects.toThrow(/is not a git repository/);
    await expect(installServerHooks(join(root, 'missing'), { env, cliPath: stub.path })).rejects.toThrow(CoordError);
    await expect(installServerHooks(join(server.dir, 'refs'), { env, cliPath: stub.path })).rejects.toThrow(/inside the bare repository/);
  });

  test('sets the server settings only where unset, keeps an existing value, and says so', async () => {
    server.git(['config', 'receive.certNonceSlop', '60']);
    const summary = await install();
    expect(summary.settings.map((setting) => [setting.key, setting.action])).toEqual([
      ['receive.fsckObjects', 'set'], ['receive.certNonceSeed', 'set'], ['receive.certNonceSlop', 'kept'], ['gpg.ssh.allowedSignersFile', 'set'],
    ]);
    expect(server.git(['config', 'receive.fsckObjects'])).toBe('true');
    const seed = server.git(['config', 'receive.certNonceSeed']);
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(server.git(['config', 'receive.certNonceSlop'])).toBe('60');
    const signers = join(server.dir, 'coord-hooks', 'no-signers');
    expect(server.git(['config', 'gpg.ssh.allowedSignersFile'])).toBe(signers);
    expect(readFileSync(signers, 'utf8')).toBe('');
    const text = formatInstallSummary(summary);
    expect(text).toMatch(/^ {4}receive\.fsckObjects +set to true; /m);
    expect(text).toMatch(/^ {4}receive\.certNonceSeed +set to \(a new random secret\); /m);
    expect(text).toMatch(/^ {4}receive\.certNonceSlop +kept: already 60; /m);
    expect(text).toContain(`gpg.ssh.allowedSignersFile  set to ${signers}; `);
    expect(text).not.toContain(seed);
    // Again: everything kept, the secret unchanged and still not shown.
    const again = await install();
    expect(again.settings.map((setting) => setting.action)).toEqual(['kept', 'kept', 'kept', 'kept']);
    expect(server.git(['config', 'receive.certNonceSeed'])).toBe(seed);
    expect(formatInstallSummary(again)).toMatch(/receive\.certNonceSeed +kept: already set; /);
  });

  test('a value from the global config counts as set, and is named as such', async () => {
    mkdirSync(join(root, 'home'), { recursive: true });
    clone.git(['config', '--global', 'receive.fsckObjects', 'false']);
    const summary = await install();
    expect(summary.settings[0]).toMatchObject({ key: 'receive.fsckObjects', action: 'kept', shown: 'false', scope: 'global' });
    expect(formatInstallSummary(summary)).toContain('kept: already false (global config)');
    expect(server.tryGit(['config', '--local', 'receive.fsckObjects']).code).toBe(1);
  });

  test('after install, receive-pack checks pushed objects (fsck) and asks for push certificates without complaint', async () => {
    // Someone's pre-receive (chained by install) records the certificate variables git gives hooks.
    writeFileSync(join(hooksDir, 'pre-receive'), `#!/bin/sh\nenv | grep '^GIT_PUSH_CERT' > "${root}/cert.env"\ncat >/dev/null\n`);
    chmodSync(join(hooksDir, 'pre-receive'), 0o755);
    await install();
    // A tree git itself refuses: receive.fsckObjects turns it away before any hook runs.
    const blob = clone.git(['hash-object', '-w', '--stdin'], 'x\n');
    const bad = clone.git(['mktree', '--missing'], `100644 blob ${blob}\t.GIT\n`);
    const commit = clone.git(['commit-tree', bad, '-m', 'sneaky']);
    const refused = push(clone, `${commit}:refs/heads/main`);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/hasDotgit/);
    expect(stub.hooksCalled()).toEqual([]);
    expect(existsSync(join(root, 'cert.env'))).toBe(false);
    // A signed push: git asks for the certificate, the nonce checks out, and there is no allowedSignersFile complaint.
    configureSigning(clone, await makeSshKey(root, 'pusher'));
    clone.commit('first', { 'a.txt': 'a\n' });
    const signed = clone.tryGit(['push', '--signed', 'origin', 'HEAD:refs/heads/main']);
    expect(signed.stderr).not.toMatch(/allowedSignersFile/);
    expect(signed.code).toBe(0);
    const certEnv = readFileSync(join(root, 'cert.env'), 'utf8');
    expect(certEnv).toMatch(/^GIT_PUSH_CERT=[0-9a-f]{40}$/m);
    expect(certEnv).toMatch(/^GIT_PUSH_CERT_NONCE_STATUS=OK$/m);
  });

  test('uninstall removes the settings install made, unless changed since, and keeps the rest', async () => {
    server.git(['config', 'receive.certNonceSlop', '60']);
    await install();
    server.git(['config', 'receive.fsckObjects', 'false']);
    const summary = await uninstallServerHooks(server.dir, { env });
    expect(summary.settings.map((setting) => [setting.key, setting.action])).toEqual([
      ['receive.fsckObjects', 'changed-since'], ['receive.certNonceSeed', 'removed'], ['gpg.ssh.allowedSignersFile', 'removed'],
    ]);
    expect(server.git(['config', 'receive.fsckObjects'])).toBe('false');
    expect(server.git(['config', 'receive.certNonceSlop'])).toBe('60');
    for (const key of ['receive.certNonceSeed', 'gpg.ssh.allowedSignersFile', 'coord-hooks.installed']) {
      expect(server.tryGit(['config', key]).code).toBe(1);
    }
    expect(existsSync(join(server.dir, 'coord-hooks', 'no-signers'))).toBe(false);
    const text = formatUninstallSummary(summary);
    expect(text).toMatch(/receive\.fsckObjects +left: changed since install \(now false\)/);
    expect(text).toMatch(/receive\.certNonceSeed +removed \(install had set it\)/);
    const again = await uninstallServerHooks(server.dir, { env });
    expect(again.settings).toEqual([]);
    expect(formatUninstallSummary(again)).toContain('nothing install had set is left to remove');
  });

  test('refuses to record a CLI that does not exist', () => {
    expect(() => runtimePaths({ cliPath: join(root, 'nope.js') })).toThrow(/the coord-hooks CLI is missing/);
  });
});

describe('coord-hooks install / uninstall (command line)', () => {
  async function cli(args: string[], cwd = root) {
    let out = '';
    let err = '';
    const code = await runCli(args, { cwd, env, stdin: process.stdin, out: (text) => { out += text; }, err: (text) => { err += text; }, isTTY: false });
    return { code, out, err };
  }

  test('help states the exit codes', async () => {
    for (const name of ['install', 'uninstall']) {
      const result = await cli([name, '--help']);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/Exit codes: 0 .*2 usage/);
    }
  });

  test('usage and environment errors exit 2 with a hint', async () => {
    expect(await cli(['install', '--server', '--repo', clone.dir])).toMatchObject({ code: 2, err: expect.stringMatching(/not a bare repository[\s\S]*hint:/) });
    expect(await cli(['install', '--repo', server.dir])).toMatchObject({ code: 2, err: expect.stringContaining('--repo goes with --server') });
    expect(await cli(['install', '--server', '--team', 'fw'])).toMatchObject({ code: 2 });
    expect(await cli(['install', '--claude'])).toMatchObject({ code: 2, err: expect.stringContaining('is not inside a git repository') });
    expect(await cli(['uninstall', '--server'], clone.dir)).toMatchObject({ code: 2, err: expect.stringContaining('not a bare repository') });
  });

  test('uninstall --server defaults to the current directory', async () => {
    await install();
    const result = await cli(['uninstall', '--server'], server.dir);
    expect(result).toMatchObject({ code: 0, out: expect.stringContaining('pre-receive') });
    expect(existsSync(join(hooksDir, 'pre-receive'))).toBe(false);
  });
});
