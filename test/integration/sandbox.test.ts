/**
 * `coord-hooks sandbox --team fw -- CMD` for real: the built CLI as a process, bubblewrap, a team
 * clone of a server with the gate. Programs write the scope, commit and push; everything else stays
 * as it was.
 */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, chmodSync } from 'fs';
import { join } from 'path';
import { packageInfo } from '../../core/package-info';
import { runProcess, type ProcessResult } from '../../core/process';
import { removeDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';

const CLI = join(packageInfo().root, 'dist', 'cli', 'main.js');

let setup: Setup;
let clone: Repo;

function cli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [CLI, ...args], { env: options.env ?? setup.env, cwd: options.cwd ?? clone.dir, timeoutMs: 60_000 });
}

/** Runs `sh -c SCRIPT` in the sandbox of team fw; "$1"... are ARGS. */
function sandboxed(script: string, args: string[] = [], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  return cli(['sandbox', '--team', 'fw', '--', 'sh', '-c', script, 'sh', ...args], options);
}

const read = (path: string): string | null => (existsSync(join(clone.dir, path)) ? readFileSync(join(clone.dir, path), 'utf8') : null);

beforeAll(async () => {
  const probe = await runProcess('bwrap', ['--version'], { env: process.env }).catch(() => null);
  if (!probe || probe.code !== 0) throw new Error('bubblewrap (bwrap) is missing: run `bash scripts/system-deps.sh`');
  setup = await makeSetup();
  clone = setup.clone('fw');
  const install = await cli(['install', '--team', 'fw']);
  expect(install.stderr).toBe('');
  expect(install.code).toBe(0);
});

afterAll(() => {
  if (setup) removeDir(setup.root);
});

describe('coord-hooks sandbox', () => {
  test('a program writes inside the scope, and reads everywhere', async () => {
    const result = await sandboxed('echo ok > fw/x.txt && mkdir -p fw/deep && echo deep > fw/deep/y.txt && cat pm/README.md');
    expect(result.stderr).not.toMatch(/Read-only/);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('product\n');
    expect(read('fw/x.txt')).toBe('ok\n');
    expect(read('fw/deep/y.txt')).toBe('deep\n');
  });

  test.each([
    ['another team\'s directory', 'pm/x.txt'],
    ['another team\'s file', 'pm/README.md'],
    ['a new top-level file', 'new.txt'],
    ['a new top-level directory', 'newdir/x.txt'],
    ['the team\'s own policy file', 'fw/CLAUDE.md'],
    ['the root policy file', 'CLAUDE.md'],
    ['the signers file', '.coord/allowed_signers'],
    ['Claude Code\'s settings', '.claude/settings.local.json'],
    ['a git hook', '.git/hooks/pre-commit'],
    ['a new git hook', '.git/hooks/post-checkout'],
    ['the git config', '.git/config'],
    ['git\'s info/exclude', '.git/info/exclude'],
    ['the home directory', '../home/evil.txt'],
  ])('a program cannot write %s (%s)', async (_what, path) => {
    const before = read(path);
    const result = await sandboxed('mkdir -p "$(dirname "$1")" 2>/dev/null; printf "evil\\n" >> "$1"', [path]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Read-only file system|Permission denied|Directory nonexistent/);
    expect(read(path)).toBe(before);
  });

  test('.claude/ that exists is read-only too; moving or deleting a policy file fails', async () => {
    mkdirSync(join(clone.dir, '.claude'), { recursive: true });
    writeFileSync(join(clone.dir, '.claude', 'settings.local.json'), '{}\n');
    writeFileSync(join(clone.dir, '.git', 'info', 'exclude'), '/.claude/settings.local.json\n', { flag: 'a' });
    const result = await sandboxed('echo evil > .claude/settings.local.json; rm -f fw/CLAUDE.md; mv fw/CLAUDE.md fw/moved.md; git config core.hooksPath fw; exit 0');
    expect(result.code).toBe(0);
    expect(read('.claude/settings.local.json')).toBe('{}\n');
    expect(read('fw/CLAUDE.md')).toMatch(/^---\nscope:/);
    expect(read('fw/moved.md')).toBeNull();
    expect(clone.tryGit(['config', 'core.hooksPath']).code).toBe(1);
  });

  test('a directory of the scope that does not exist yet is created, and only it becomes writable', async () => {
    // fw's scope: fw/ and experiments/x/ (fixtures/policies.ts); experiments/ is nobody's.
    const result = await sandboxed('echo a > experiments/x/a.txt && ! echo b > experiments/b.txt');
    expect(result.code).toBe(0);
    expect(read('experiments/x/a.txt')).toBe('a\n');
    expect(read('experiments/b.txt')).toBeNull();
  });

  test('git add, commit and push of an in-scope change work from inside the sandbox (client hooks and the gate run)', async () => {
    const result = await sandboxed([
      'echo feature > fw/feature.txt',
      'git add -A',
      'git commit -q -m "fw: feature"',
      'git push -q origin HEAD:refs/heads/fw/sandboxed',
    ].join(' && '));
    expect(result.stderr).not.toMatch(/error|fatal/);
    expect(result.code).toBe(0);
    expect(setup.server.git(['log', '-1', '--format=%s', 'fw/sandboxed'])).toBe('fw: feature');
    expect(setup.server.git(['show', '--name-only', '--format=', 'fw/sandboxed'])).toContain('fw/feature.txt');
  });

  test('a plain script as the agent: a mix of allowed and refused writes, a commit, a push, its exit code passed through', async () => {
    const agent = join(setup.root, 'agent.sh');
    writeFileSync(agent, [
      '#!/bin/sh',
      'echo "agent work" > fw/agent.txt || exit 10',
      'if echo evil > pm/agent.txt 2>/dev/null; then exit 11; fi',
      'if echo evil >> fw/CLAUDE.md 2>/dev/null; then exit 12; fi',
      'if echo evil > /tmp/agent-tmp && [ -e "$HOME/.gitconfig" ] && echo evil >> "$HOME/.gitconfig" 2>/dev/null; then exit 13; fi',
      'git checkout -q -b fw/agent || exit 14',
      'git add -A && git commit -q -m "fw: agent" || exit 15',
      'git push -q origin fw/agent || exit 16',
      'exit 3',
      '',
    ].join('\n'));
    chmodSync(agent, 0o755);
    const result = await cli(['sandbox', '--team', 'fw', '--', agent]);
    expect(result.stderr).not.toMatch(/fatal|error|bwrap:/);
    expect(result.code).toBe(3);
    expect(read('pm/agent.txt')).toBeNull();
    expect(existsSync('/tmp/agent-tmp')).toBe(false); // the sandbox's /tmp is its own
    expect(setup.server.git(['show', '--name-only', '--format=%s', 'fw/agent'])).toBe('fw: agent\n\nfw/agent.txt');
  });

  test('the exit code and a signal are passed through', async () => {
    expect((await sandboxed('exit 42')).code).toBe(42);
    expect((await sandboxed('kill -TERM $$')).code).toBe(128 + 15);
  });

  test('a symbolic link in the scope does not open its target', async () => {
    symlinkSync('../pm', join(clone.dir, 'fw', 'to-pm'));
    const result = await sandboxed('echo evil > fw/to-pm/linked.txt');
    expect(result.code).not.toBe(0);
    expect(read('pm/linked.txt')).toBeNull();
  });

  test('from a subdirectory; the team from git config; --print shows the bwrap command', async () => {
    const sub = join(clone.dir, 'fw');
    const result = await cli(['sandbox', '--', 'sh', '-c', 'echo sub > here.txt && pwd'], { cwd: sub });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${sub}\n`);
    expect(read('fw/here.txt')).toBe('sub\n');
    const printed = await cli(['sandbox', '--print', '--', 'make', 'test']);
    expect(printed.code).toBe(0);
    expect(printed.stdout).toContain(`--ro-bind ${clone.dir} ${clone.dir}`);
    expect(printed.stdout).toContain(`--bind ${clone.dir}/fw ${clone.dir}/fw`);
    expect(printed.stdout).toContain(`--ro-bind ${clone.dir}/fw/CLAUDE.md ${clone.dir}/fw/CLAUDE.md`);
    expect(printed.stdout).toContain(`--bind ${clone.dir}/.git ${clone.dir}/.git`);
    expect(printed.stdout).toContain(`--ro-bind ${clone.dir}/.git/hooks ${clone.dir}/.git/hooks`);
    expect(printed.stdout).toContain('--cap-drop ALL');
    expect(printed.stdout).toMatch(/ -- make test\n$/);
  });

  test('the sandboxed program leads a terminal session of its own (no keystrokes pushed into the caller\'s)', async () => {
    // Field 6 of /proc/self/stat is the session id: 0 when the session leader is outside the sandbox's PID namespace.
    const result = await cli(['sandbox', '--', 'cut', '-d', ' ', '-f6', '/proc/self/stat']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).not.toBe('0');
    expect(Number(result.stdout.trim())).toBeGreaterThan(0);
  });

  test('no team, no command, or no bubblewrap: exit 2 before anything runs', async () => {
    const other = setup.clone('nobody');
    const noTeam = await cli(['sandbox', '--', 'touch', 'fw/ran.txt'], { cwd: other.dir });
    expect(noTeam.code).toBe(2);
    expect(noTeam.stderr).toMatch(/--team/);
    expect(existsSync(join(other.dir, 'fw', 'ran.txt'))).toBe(false);

    expect((await cli(['sandbox', '--team', 'fw'])).code).toBe(2);

    // A PATH with git and sh but no bwrap.
    const bin = join(setup.root, 'bin-without-bwrap');
    mkdirSync(bin);
    for (const tool of ['git', 'sh']) {
      const found = (await runProcess('sh', ['-c', `command -v ${tool}`], { env: process.env })).stdout.trim();
      symlinkSync(found, join(bin, tool));
    }
    const missing = await cli(['sandbox', '--team', 'fw', '--', 'touch', 'fw/ran.txt'], { env: { ...setup.env, PATH: bin } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('install bubblewrap (apt-get install bubblewrap) or run the agent without the sandbox, knowing that programs then write anywhere');
    expect(read('fw/ran.txt')).toBeNull();
  });
});
