/**
 * Client hooks in real clones: from a subdirectory, with core.hooksPath (husky style), in a linked
 * worktree and a submodule; the COORD_HOOKS=0 switch and the recursion guard. The scripts run a stub
 * CLI (see install-stub.ts), so only the install mechanism is under test.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { cloneRepo, initRepo, isolatedEnv, removeDir, tempDir, Repo } from '../../fixtures/repo';
import { CLIENT_HOOKS, formatInstallSummary, formatUninstallSummary, installCloneHooks, uninstallCloneHooks, type CloneInstallOptions } from '../../hooks/install';
import { modeOf, StubCli } from './install-stub';
import { CoordError } from '../../core/errors';
import { runCommand } from '../../fixtures/cli';
import { STANDARD_POLICY } from '../../fixtures/policies';

let root: string;
let env: NodeJS.ProcessEnv;
let server: Repo;
let clone: Repo;
let stub: StubCli;

beforeEach(() => {
  root = tempDir('coord-install-clone-');
  env = isolatedEnv(join(root, 'home'));
  server = initRepo(join(root, 'server.git'), env, { bare: true });
  const seed = initRepo(join(root, 'seed'), env);
  seed.commit('first', { 'README.md': 'hello\n', 'fw/a.txt': 'a\n' });
  seed.git(['push', '-q', server.dir, 'main']);
  clone = cloneRepo(server.dir, join(root, 'clone'), env);
  stub = new StubCli(root);
});

afterEach(() => removeDir(root));

const install = (cwd: string, options: CloneInstallOptions = {}) => installCloneHooks(cwd, { env, cliPath: stub.path, ...options });

function commit(repo: Repo, message = 'change') {
  return repo.tryGit(['commit', '-q', '--allow-empty', '-m', message]);
}

/** A hook of someone else's in `dir` that records that it ran (and its input), exiting with `code`. */
function foreignHook(dir: string, name: string, code = 0): Buffer {
  mkdirSync(dir, { recursive: true });
  const bytes = Buffer.from(`#!/bin/sh\necho "$@" >> "${root}/${name}.ran"\ncat > "${root}/${name}.input"\nexit ${code}\n`);
  writeFileSync(join(dir, name), bytes);
  chmodSync(join(dir, name), 0o755);
  return bytes;
}

const ran = (name: string) => existsSync(join(root, `${name}.ran`));

describe('installCloneHooks', () => {
  test('from a subdirectory: the four hooks go into .git/hooks and the team is stored', async () => {
    mkdirSync(join(clone.dir, 'fw', 'deep'), { recursive: true });
    const summary = await install(join(clone.dir, 'fw', 'deep'), { team: 'fw' });
    expect(summary.hooksDir).toBe(join(clone.dir, '.git', 'hooks'));
    expect(summary.hooks.map((hook) => [hook.hook, hook.action])).toEqual(CLIENT_HOOKS.map((hook) => [hook, 'installed']));
    expect(clone.git(['config', 'coord-hooks.team'])).toBe('fw');
    expect(summary.team).toBe('fw');
    for (const name of CLIENT_HOOKS) expect(modeOf(join(clone.dir, '.git', 'hooks', name)) & 0o111).toBe(0o111);
    expect(commit(new Repo(join(clone.dir, 'fw', 'deep'), env)).code).toBe(0);
    const calls = stub.calls();
    expect(calls[0]).toMatchObject({ hook: 'pre-commit', running: '1' });
    // A plain commit touches no round ref: the script never starts node for reference-transaction.
    expect(calls.filter((call) => call.hook === 'reference-transaction')).toEqual([]);
    // Nor does a local round branch; a remote round branch arriving does, once, at "committed".
    clone.git(['branch', 'fw/round-7']);
    expect(stub.calls().filter((call) => call.hook === 'reference-transaction')).toEqual([]);
    clone.git(['update-ref', 'refs/remotes/origin/fw/round-7', 'HEAD']);
    expect(stub.calls().filter((call) => call.hook === 'reference-transaction').map((call) => call.args[0])).toEqual(['committed']);
  });

  test('rejects a bad team name and a bare repository', async () => {
    await expect(install(clone.dir, { team: 'fw/x' })).rejects.toThrow(/not a team name/);
    await expect(install(server.dir)).rejects.toThrow(/bare repository: client hooks belong in clones/);
    await expect(install(root)).rejects.toThrow(/not inside a git repository/);
  });

  test('a failing pre-commit of ours blocks the commit', async () => {
    await install(clone.dir);
    stub.exitWith(1);
    const before = clone.head();
    expect(commit(clone).code).not.toBe(0);
    expect(clone.head()).toBe(before);
  });

  test('COORD_HOOKS=0: one skip line, ours does not run, the chained hook still does and decides', async () => {
    foreignHook(join(clone.dir, '.git', 'hooks'), 'pre-commit');
    await install(clone.dir);
    const skipping = new Repo(clone.dir, { ...env, COORD_HOOKS: '0' });
    const result = commit(skipping);
    expect(result.code).toBe(0);
    // git's own advice lines aside (GIT_GRAFT_FILE=/dev/null, set by git/run.ts for every call, earns a graft deprecation hint).
    expect(result.stderr.split('\n').filter((line) => line && !line.startsWith('hint:'))).toEqual([
      'coord-hooks: pre-commit skipped (COORD_HOOKS=0)',
      'coord-hooks: reference-transaction skipped (COORD_HOOKS=0)',
    ]);
    expect(ran('pre-commit')).toBe(true);
    expect(stub.hooksCalled()).toEqual([]);
    // The chained hook's failure still fails the commit.
    foreignHook(join(clone.dir, '.git', 'hooks'), 'pre-commit.coord-hooks-chained', 1);
    expect(commit(skipping).code).not.toBe(0);
  });

  test('the recursion guard: under COORD_HOOKS_RUNNING=1 ours is skipped silently, the chained hook runs', async () => {
    foreignHook(join(clone.dir, '.git', 'hooks'), 'pre-commit');
    await install(clone.dir);
    const result = commit(new Repo(clone.dir, { ...env, COORD_HOOKS_RUNNING: '1' }));
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('coord-hooks');
    expect(ran('pre-commit')).toBe(true);
    expect(stub.hooksCalled()).toEqual([]);
  });

  test('pre-push: a chained hook gets the same arguments and stdin as ours', async () => {
    foreignHook(join(clone.dir, '.git', 'hooks'), 'pre-push');
    await install(clone.dir);
    const head = clone.commit('work');
    stub.reset();
    expect(clone.tryGit(['push', '-q', 'origin', 'HEAD:refs/heads/fw/round-1']).code).toBe(0);
    const call = stub.calls().find((entry) => entry.hook === 'pre-push')!;
    expect(call.args).toEqual(['origin', server.dir]);
    expect(call.input).toBe(`HEAD ${head} refs/heads/fw/round-1 ${'0'.repeat(40)}\n`);
    expect(readFileSync(join(root, 'pre-push.input'), 'utf8')).toBe(call.input);
    expect(readFileSync(join(root, 'pre-push.ran'), 'utf8')).toBe(`origin ${server.dir}\n`);
  });

  test('post-merge: a failing chained hook does not stop ours', async () => {
    foreignHook(join(clone.dir, '.git', 'hooks'), 'post-merge', 3);
    await install(clone.dir);
    clone.git(['checkout', '-q', '-b', 'side']);
    clone.commit('side work');
    clone.git(['checkout', '-q', 'main']);
    stub.reset();
    expect(clone.tryGit(['merge', '-q', '--ff-only', 'side']).code).toBe(0);
    expect(ran('post-merge')).toBe(true);
    expect(stub.hooksCalled()).toContain('post-merge');
  });

  test('core.hooksPath (husky style .husky/_): ours goes there, theirs is chained and still runs', async () => {
    clone.git(['config', 'core.hooksPath', '.husky/_']);
    const theirs = foreignHook(join(clone.dir, '.husky', '_'), 'pre-commit');
    const summary = await install(join(clone.dir, 'fw'));
    expect(summary.hooksDir).toBe(join(clone.dir, '.husky', '_'));
    expect(summary.notes.join('\n')).toContain('core.hooksPath is set (.husky/_)');
    expect(summary.hooks[0]).toMatchObject({ hook: 'pre-commit', action: 'chained' });
    expect(readFileSync(join(clone.dir, '.husky', '_', 'pre-commit.coord-hooks-chained')).equals(theirs)).toBe(true);
    expect(existsSync(join(clone.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(commit(clone).code).toBe(0);
    expect(ran('pre-commit')).toBe(true);
    expect(stub.hooksCalled()[0]).toBe('pre-commit');
  });

  test('a husky v9 layout keeps working: its wrapper still sees its own hook name in $0', async () => {
    clone.git(['config', 'core.hooksPath', '.husky/_']);
    // husky v9's shape: .husky/_/<hook> sources .husky/_/h, which runs .husky/$(basename "$0").
    clone.write('.husky/_/h', '#!/usr/bin/env sh\nn=$(basename "$0")\ns=$(dirname "$(dirname "$0")")/$n\n[ -f "$s" ] || exit 0\nsh -e "$s" "$@"\n');
    clone.write('.husky/_/pre-commit', '#!/usr/bin/env sh\n. "${0%/*}/h"\n', 0o755);
    clone.write('.husky/pre-commit', `echo husky > "${root}/husky.ran"\n`);
    await install(clone.dir);
    expect(commit(clone).code).toBe(0);
    expect(readFileSync(join(root, 'husky.ran'), 'utf8')).toBe('husky\n');
    expect(stub.hooksCalled()[0]).toBe('pre-commit');
  });

  test('a linked worktree uses the same hooks as its main clone', async () => {
    const first = await install(clone.dir);
    clone.git(['worktree', 'add', '-q', '-b', 'fw/wt', join(root, 'wt')]);
    const worktree = new Repo(join(root, 'wt'), env);
    stub.reset();
    expect(commit(worktree).code).toBe(0);
    expect(stub.hooksCalled()[0]).toBe('pre-commit');
    const again = await install(worktree.dir);
    expect(again.hooksDir).toBe(first.hooksDir);
    expect(again.hooks.every((hook) => hook.action === 'unchanged')).toBe(true);
  });

  test('a submodule gets its hooks in .git/modules/<name>/hooks', async () => {
    const lib = initRepo(join(root, 'lib'), env);
    lib.commit('lib', { 'lib.txt': 'lib\n' });
    clone.git(['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', lib.dir, 'vendor/lib']);
    const sub = new Repo(join(clone.dir, 'vendor', 'lib'), env);
    sub.git(['config', 'user.name', 'Test User']);
    sub.git(['config', 'user.email', 'test@example.invalid']);
    const summary = await install(sub.dir);
    expect(summary.hooksDir).toBe(join(clone.dir, '.git', 'modules', 'vendor', 'lib', 'hooks'));
    expect(commit(sub).code).toBe(0);
    expect(stub.hooksCalled()[0]).toBe('pre-commit');
    expect(existsSync(join(clone.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
  });

  test('a clone without a signing key: push.gpgSign is left alone (git would fail every push to a server that asks), and a note says how to sign', async () => {
    const summary = await install(clone.dir);
    expect(summary.settings).toEqual([]);
    expect(clone.tryGit(['config', 'push.gpgSign']).code).toBe(1);
    expect(summary.notes.join('\n')).toContain('this clone has no signing key');
    expect(summary.notes.join('\n')).toContain('coord-hooks keys --create');
  });

  test('a clone with a signing key: push.gpgSign becomes if-asked where unset, the summary says so, uninstall removes it', async () => {
    clone.git(['config', 'user.signingkey', join(root, 'key.pub')]);
    const summary = await install(clone.dir);
    expect(summary.settings).toEqual([expect.objectContaining({ key: 'push.gpgSign', action: 'set', shown: 'if-asked' })]);
    expect(clone.git(['config', 'push.gpgSign'])).toBe('if-asked');
    expect(formatInstallSummary(summary)).toMatch(/^ {4}push\.gpgSign +set to if-asked; pushes are signed/m);
    expect(summary.notes.join('\n')).not.toContain('no signing key');
    // Again: kept.
    const again = await install(clone.dir);
    expect(again.settings[0]).toMatchObject({ action: 'kept', shown: 'if-asked', scope: 'local' });
    // Uninstall removes what install set.
    const removed = await uninstallCloneHooks(clone.dir, { env });
    expect(removed.settings[0]).toMatchObject({ key: 'push.gpgSign', action: 'removed' });
    expect(formatUninstallSummary(removed)).toMatch(/push\.gpgSign +removed \(install had set it to if-asked\)/);
    expect(clone.tryGit(['config', 'push.gpgSign']).code).toBe(1);
    expect(clone.tryGit(['config', 'coord-hooks.installed']).code).toBe(1);
  });

  test('an existing push.gpgSign is kept, and uninstall leaves it', async () => {
    clone.git(['config', 'user.signingkey', join(root, 'key.pub')]);
    clone.git(['config', 'push.gpgSign', 'false']);
    const summary = await install(clone.dir);
    expect(summary.settings[0]).toMatchObject({ key: 'push.gpgSign', action: 'kept', shown: 'false' });
    expect(formatInstallSummary(summary)).toMatch(/push\.gpgSign +kept: already false; /);
    expect(clone.git(['config', 'push.gpgSign'])).toBe('false');
    const removed = await uninstallCloneHooks(clone.dir, { env });
    expect(removed.settings).toEqual([]);
    expect(clone.git(['config', 'push.gpgSign'])).toBe('false');
  });

  test('uninstall restores chained hooks exactly, removes ours, unsets the team', async () => {
    const hooks = join(clone.dir, '.git', 'hooks');
    const original = foreignHook(hooks, 'pre-push');
    chmodSync(join(hooks, 'pre-push'), 0o700);
    await install(clone.dir, { team: 'fw' });
    await install(clone.dir, { team: 'fw' });
    const summary = await uninstallCloneHooks(join(clone.dir, 'fw'), { env });
    expect(summary.hooks.map((hook) => [hook.hook, hook.action])).toEqual([
      ['pre-commit', 'removed'], ['pre-push', 'restored'], ['post-merge', 'removed'], ['reference-transaction', 'removed'],
    ]);
    expect(summary.teamUnset).toBe('fw');
    expect(readFileSync(join(hooks, 'pre-push')).equals(original)).toBe(true);
    expect(modeOf(join(hooks, 'pre-push'))).toBe(0o700);
    expect(existsSync(join(hooks, 'pre-push.coord-hooks-chained'))).toBe(false);
    for (const name of ['pre-commit', 'post-merge', 'reference-transaction']) expect(existsSync(join(hooks, name))).toBe(false);
    expect(clone.tryGit(['config', 'coord-hooks.team']).code).toBe(1);
  });

  test('a hook manager rewriting its hook over ours: re-install keeps the single chained copy', async () => {
    const husky = join(clone.dir, '.husky', '_');
    clone.git(['config', 'core.hooksPath', '.husky/_']);
    const theirs = foreignHook(husky, 'pre-commit');
    await install(clone.dir);
    writeFileSync(join(husky, 'pre-commit'), theirs);
    const again = await install(clone.dir);
    expect(again.hooks[0]).toMatchObject({ action: 'chained', note: expect.stringContaining('identical') });
    expect(readFileSync(join(husky, 'pre-commit'), 'utf8')).toContain('coord-hooks managed hook');
    expect(readFileSync(join(husky, 'pre-commit.coord-hooks-chained')).equals(theirs)).toBe(true);
  });
});

describe('install --team checks the team against the policy', () => {
  /** A clone of a server whose main holds the standard policy (teams fw, pm, qa). */
  function policyClone(): Repo {
    const seed = cloneRepo(server.dir, join(root, 'policy-seed'), env);
    for (const [path, text] of Object.entries(STANDARD_POLICY)) seed.write(path, text);
    seed.git(['add', '-A']);
    seed.git(['commit', '-q', '-m', 'policy']);
    seed.git(['push', '-q', 'origin', 'HEAD:main']);
    return cloneRepo(server.dir, join(root, 'policy-clone'), env);
  }

  test('an unknown team is a usage error that names the closest team, and nothing is installed', async () => {
    const repo = policyClone();
    const error = await install(repo.dir, { team: 'fq' }).then(() => null, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(CoordError);
    expect((error as CoordError).exitCode).toBe(2);
    expect((error as CoordError).message).toBe('no team "fq" in the policy (from origin/main); did you mean "fw"?');
    expect((error as CoordError).hint).toContain('teams are: fw, pm, qa; nothing was changed: run `coord-hooks install --team fw`');
    expect(existsSync(join(repo.dir, '.git', 'hooks', 'pre-commit'))).toBe(false);
    expect(repo.tryGit(['config', 'coord-hooks.team']).code).toBe(1);
    // Through the command line: exit 2, the message and the hint on stderr.
    const cli = await runCommand(['install', '--team', 'nosuch'], { cwd: repo.dir, env });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('no team "nosuch" in the policy (from origin/main)');
    expect(cli.stderr).toContain('teams are: fw, pm, qa');
  });

  test('re-installing with another team says it switched', async () => {
    const repo = policyClone();
    expect((await install(repo.dir, { team: 'fw' })).notes.join('\n')).not.toContain('switched');
    expect((await install(repo.dir, { team: 'fw' })).notes.join('\n')).not.toContain('switched');
    const summary = await install(repo.dir, { team: 'pm' });
    expect(summary.notes).toContain('this clone\'s team switched from "fw" to "pm" (git config coord-hooks.team)');
    expect(formatInstallSummary(summary)).toContain('switched from "fw" to "pm"');
    expect(repo.git(['config', 'coord-hooks.team'])).toBe('pm');
  });

  test('a repository without a policy yet: the team is kept, and a note says it is not checked', async () => {
    const summary = await install(clone.dir, { team: 'fw' });
    expect(summary.notes.join('\n')).toContain('team "fw" is not checked: the policy (from origin/main) declares no team yet');
    expect(clone.git(['config', 'coord-hooks.team'])).toBe('fw');
    const empty = initRepo(join(root, 'empty'), env);
    expect((await install(empty.dir, { team: 'fw' })).notes.join('\n')).toContain('the policy (from work tree) declares no team yet');
  });

  test('a policy with problems: the team is kept, and a note says why it is not checked', async () => {
    const fresh = initRepo(join(root, 'fresh'), env);
    fresh.write('fw/CLAUDE.md', '---\nscope:\n  write: fw/\n---\n');
    const summary = await install(fresh.dir, { team: 'fw' });
    expect(summary.notes.join('\n')).toContain('team "fw" is not checked: the policy has problems (1)');
    // The command the note names lists them.
    const explained = await runCommand(['explain', 'CLAUDE.md'], { cwd: fresh.dir, env });
    expect(explained.code).toBe(2);
    expect(explained.stderr).toContain('fw/CLAUDE.md:3:10: scope.write must be a list of strings');
  });
});
