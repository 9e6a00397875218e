/**
 * The GitHub Enterprise Server recipe (ci/ghes-environment.sh): builds the pre-receive hook
 * environment, then runs the gate *inside it* for real pushes. GHES runs a hook in its environment as
 * a chroot; here bubblewrap does the same: the environment is the whole root file system, the bare
 * repository is bound at its own path (so git's quarantine variables stay valid), /tmp is empty, and
 * nothing of this machine is visible. The hook script is the one docs/hosting.md tells GHES to run.
 * Not covered: GHES itself (its hook runner, its user, its mounts, its 5-second timer).
 */
import { existsSync } from 'fs';
import { join } from 'path';
import { chmodSync, writeFileSync } from 'fs';
import { packageInfo } from '../../core/package-info';
import { runProcess } from '../../core/process';
import { makeSetup, push, snapshot, type Setup } from '../../fixtures/server';
import { removeDir } from '../../fixtures/repo';
import { findTool } from '../../fixtures/hosted';

const ROOT = packageInfo().root;
/** The hook script docs/hosting.md gives for GHES, run by the environment's own sh. */
const GHES_HOOK = 'exec /usr/bin/node /opt/coord-hooks/coord-hooks.cjs hook pre-receive 2>&1';

let setup: Setup;
let environment: string;
let build: { code: number; stdout: string; stderr: string };

function which(tool: string): string {
  return findTool(tool, 'run `bash scripts/system-deps.sh` as root (it installs bubblewrap)');
}

/** pre-receive of the bare repository: the GHES hook script, run with the environment as its root. */
function installGhesHook(extra: string[] = []): void {
  const server = setup.server.dir;
  const args = ['--bind', environment, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--bind', server, server,
    '--chdir', server, '--setenv', 'PATH', '/usr/bin:/bin', '--setenv', 'HOME', '/tmp', '--unsetenv', 'NODE_OPTIONS', ...extra];
  const quoted = args.map((arg) => `'${arg}'`).join(' ');
  const path = join(server, 'hooks', 'pre-receive');
  writeFileSync(path, `#!/bin/sh\n# GHES runs the hook script in its environment; bwrap plays that chroot here.\nexec '${which('bwrap')}' ${quoted} -- /bin/sh -c '${GHES_HOOK}'\n`);
  chmodSync(path, 0o755);
}

beforeAll(async () => {
  setup = await makeSetup({ gate: false });
  environment = join(setup.root, 'ghes-env');
  build = await runProcess('bash', [join(ROOT, 'ci', 'ghes-environment.sh'), environment, join(setup.root, 'ghes-env.tar.gz')], { env: process.env, cwd: ROOT, timeoutMs: 300000 });
  installGhesHook();
}, 320000);

afterAll(() => removeDir(setup.root));

describe('ci/ghes-environment.sh', () => {
  test('builds the environment and its tarball with node 20+, git >= 2.11, ssh-keygen, gpg, sh and the bundle', async () => {
    expect(build.stderr).toBe('');
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/node v(2[0-9]|[3-9][0-9])\./);
    for (const path of ['usr/bin/node', 'usr/bin/git', 'usr/bin/ssh-keygen', 'usr/bin/gpg', 'bin/sh', 'opt/coord-hooks/coord-hooks.cjs', 'opt/coord-hooks/package.json', 'etc/passwd', 'tmp']) {
      expect(existsSync(join(environment, path))).toBe(true);
    }
    expect(existsSync(join(setup.root, 'ghes-env.tar.gz'))).toBe(true);
    // Every tool starts inside the environment, with nothing of this machine visible.
    const inside = await runProcess(which('bwrap'), ['--bind', environment, '/', '--dev', '/dev', '--proc', '/proc', '--tmpfs', '/tmp', '--clearenv', '--setenv', 'PATH', '/usr/bin:/bin', '--',
      '/bin/sh', '-c', 'node /opt/coord-hooks/coord-hooks.cjs --version && git --version; ssh-keygen -? 2>/dev/null; [ $? -lt 126 ] && echo ssh-keygen-ok; gpg --version >/dev/null && echo gpg-ok'], { env: {}, timeoutMs: 60000 });
    expect(inside.stdout.split('\n')[0]).toBe(packageInfo().version);
    expect(inside.stdout).toContain('git version');
    expect(inside.stdout).toContain('ssh-keygen-ok');
    expect(inside.stdout).toContain('gpg-ok');
  });

  test('refuses a directory that is not empty', async () => {
    const again = await runProcess('bash', [join(ROOT, 'ci', 'ghes-environment.sh'), environment], { env: process.env, cwd: ROOT, timeoutMs: 60000 });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is not empty');
  });
});

describe('the gate inside the GHES environment', () => {
  test('the architect\'s push of main, proved by a push certificate verified inside the environment: accepted', () => {
    setup.architect.commit('architect: notes', { 'docs/notes.md': 'notes\n' });
    const result = push(setup.architect, ['main']);
    expect(result.output).not.toContain('rejected');
    expect(result.code).toBe(0);
  });

  test('a team\'s push inside its scope is accepted; outside it, rejected with the gate\'s message and nothing changes', () => {
    const fw = setup.clone('fw-clone');
    fw.git(['checkout', '-q', '-b', 'fw/work']);
    fw.commit('fw: in scope', { 'fw/ok.txt': 'ok\n' });
    expect(push(fw, ['fw/work']).code).toBe(0);
    const before = snapshot(setup.server);
    fw.commit('fw: touch pm', { 'pm/plan.md': 'mine now\n' });
    const rejected = push(fw, ['fw/work']);
    expect(rejected.code).not.toBe(0);
    expect(rejected.output).toContain('remote: coord-hooks: push rejected');
    expect(rejected.output).toContain('pm/plan.md');
    expect(snapshot(setup.server)).toBe(before);
  });

  test('an environment without ssh-keygen: the architect\'s ed25519 certificate is verified in-process (trust/sshsig.ts), so the push is accepted', () => {
    installGhesHook(['--ro-bind', '/dev/null', '/usr/bin/ssh-keygen']);
    try {
      setup.architect.commit('architect: more notes', { 'docs/more.md': 'more\n' });
      const result = push(setup.architect, ['main']);
      expect({ code: result.code, output: result.output }).toEqual({ code: 0, output: expect.not.stringContaining('rejected') });
    } finally {
      installGhesHook();
    }
  });
});
