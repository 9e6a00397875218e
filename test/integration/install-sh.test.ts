/**
 * install.sh, the administrators' installer: help, the checks it makes before touching anything, and a
 * real install of this checkout into a prefix (npm pack + npm install, from npm's cache when it can).
 */
import { existsSync, mkdirSync, readFileSync } from 'fs';
import { homedir } from 'os';
import { join } from 'path';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { initRepo, isolatedEnv, removeDir, tempDir } from '../../fixtures/repo';
import { HOOK_MARKER } from '../../hooks/install';

const checkout = packageInfo().root;
const script = join(checkout, 'install.sh');

let root: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  root = tempDir('coord-install-sh-');
  env = isolatedEnv(join(root, 'home'), {
    // npm keeps its cache and settings although HOME is a temporary directory.
    npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
    npm_config_userconfig: process.env.npm_config_userconfig ?? join(homedir(), '.npmrc'),
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  });
});

afterEach(() => removeDir(root));

const run = (args: string[], extraEnv: NodeJS.ProcessEnv = {}) =>
  runProcess('/bin/bash', [script, ...args], { env: { ...env, ...extraEnv }, cwd: root, timeoutMs: 120_000 });

test('--help explains the usage and the exit codes', async () => {
  const result = await run(['--help']);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain('Usage: install.sh [--prefix DIR] [--from DIR | --package SPEC] [REPO…]');
  expect(result.stdout).toContain('/opt/coord-hooks');
  expect(result.stdout).toMatch(/Exit codes: 0 success · 2 usage or environment error/);
});

test('refuses a repository that is not bare before installing anything', async () => {
  const clone = initRepo(join(root, 'clone'), env);
  const result = await run(['--prefix', join(root, 'prefix'), clone.dir]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`install.sh: ${clone.dir} is not a bare repository`);
  expect(result.stderr).toContain('hint:');
  expect(existsSync(join(root, 'prefix'))).toBe(false);
  expect((await run(['--prefix', join(root, 'prefix'), join(root, 'nothing')])).stderr).toContain('no such directory');
});

test('usage errors and a missing node exit 2 with a clear message', async () => {
  expect(await run(['--bogus'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --bogus') });
  expect(await run(['--from', checkout, '--package', 'coord-hooks'])).toMatchObject({ code: 2, stderr: expect.stringContaining('exclude each other') });
  const empty = join(root, 'empty-bin');
  mkdirSync(empty);
  const bare = initRepo(join(root, 'server.git'), env, { bare: true });
  expect(await run([bare.dir], { PATH: empty })).toMatchObject({ code: 2, stderr: expect.stringContaining('node is not on PATH') });
});

test('installs this checkout into a prefix and the gate into bare repositories, idempotently', async () => {
  const prefix = join(root, 'prefix');
  const one = initRepo(join(root, 'one.git'), env, { bare: true });
  const two = initRepo(join(root, 'two.git'), env, { bare: true });
  const first = await run(['--prefix', prefix, '--from', checkout, one.dir, two.dir]);
  if (first.code !== 0) throw new Error(`install.sh exited ${first.code}:\n${first.stdout}${first.stderr}`);
  const cli = join(prefix, 'node_modules', 'coord-hooks', 'dist', 'cli', 'main.js');
  for (const repo of [one, two]) {
    const hook = readFileSync(join(repo.dir, 'hooks', 'pre-receive'), 'utf8');
    expect(hook).toContain(HOOK_MARKER);
    expect(hook).toContain(`CLI='${cli}'`);
    expect(hook).toMatch(/^NODE='\/.+'$/m);
  }
  const version = await runProcess(join(prefix, 'node_modules', '.bin', 'coord-hooks'), ['--version'], { env });
  expect(version.stdout.trim()).toBe(packageInfo().version);

  const again = await run(['--prefix', prefix, '--from', checkout, one.dir]);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/pre-receive\s+already up to date/);
}, 120_000);
