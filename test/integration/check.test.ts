/** `coord-hooks check` and `explain` in a real clone: the gate's verdict computed locally. */
import { runCommand } from '../../fixtures/cli';
import { makeSetup, push, type Setup } from '../../fixtures/server';
import type { Repo } from '../../fixtures/repo';

let setup: Setup;
let fw: Repo;

beforeAll(async () => {
  setup = await makeSetup();
  fw = setup.clone('fw');
});

const branch = (name: string) => fw.freshBranch(`fw/${name}`);

const check = (...args: string[]) => runCommand(['check', ...args], { cwd: fw.dir, env: setup.env });

async function expectViolations(paths: string[], ...args: string[]) {
  const result = await check('--json', ...args);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(1);
  const json = JSON.parse(result.stdout) as { ok: boolean; violations: { commit: string; path: string }[] };
  expect(json.ok).toBe(false);
  expect([...new Set(json.violations.map((violation) => violation.path))].sort()).toEqual([...paths].sort());
  for (const violation of json.violations) expect(violation.commit).toBeTruthy();
  return json;
}

test('in-scope edits pass, with a human summary', async () => {
  branch('ok');
  fw.commit('work', { 'fw/a.txt': 'a\n', 'experiments/x/b.txt': 'b\n' });
  const result = await check();
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^ok: 1 commit\(s\) in HEAD \(commits not on origin\/main, main\) stay inside team fw's scope/);
});

test('out-of-scope add, modify, delete', async () => {
  branch('amd');
  fw.remove('qa/README.md');
  fw.commit('three kinds', { 'pm/new.md': 'x\n', 'pm/README.md': 'changed\n' });
  await expectViolations(['pm/new.md', 'pm/README.md', 'qa/README.md']);
});

test('human output names commit, path, why, the patterns and a hint', async () => {
  branch('human');
  fw.commit('Touch pm', { 'pm/new.md': 'x\n' });
  const result = await check();
  expect(result.code).toBe(1);
  expect(result.stdout).toContain('(Touch pm): pm/new.md');
  expect(result.stdout).toContain("outside team fw's write scope; it belongs to team pm");
  expect(result.stdout).toContain('team fw may write: fw/, experiments/x/');
  expect(result.stdout).toContain('what to do:');
});

test('rename from outside and mode change', async () => {
  branch('rename');
  fw.git(['mv', 'pm/README.md', 'fw/taken.md']);
  fw.git(['update-index', '--chmod=+x', 'qa/README.md']);
  fw.git(['commit', '-q', '-m', 'rename and chmod']);
  await expectViolations(['pm/README.md', 'qa/README.md']);
});

test('evil merge', async () => {
  const name = branch('evil');
  fw.commit('fw', { 'fw/1': '1\n' });
  fw.git(['checkout', '-q', '-b', `${name}-side`, 'origin/main']);
  fw.commit('fw side', { 'fw/2': '2\n' });
  fw.git(['checkout', '-q', name]);
  fw.git(['merge', '-q', '--no-ff', '--no-commit', `${name}-side`]);
  fw.write('pm/README.md', 'evil\n');
  fw.git(['add', '-A']);
  fw.git(['commit', '-q', '--no-edit']);
  const json = await expectViolations(['pm/README.md']);
  const merge = fw.head();
  expect(json.violations.some((violation) => violation.commit === merge)).toBe(true);
});

test('revert pair: the net change is empty, the commit is still caught', async () => {
  branch('revert');
  const bad = fw.commit('bad', { 'pm/README.md': 'x\n' });
  fw.git(['revert', '--no-edit', bad]);
  const json = await expectViolations(['pm/README.md']);
  expect(json.violations.map((violation) => violation.commit)).toContain(bad);
});

test('symlink escaping the scope', async () => {
  branch('symlink');
  fw.symlink('fw/ok-link', 'a.txt');
  fw.symlink('fw/bad-link', '../pm');
  fw.commit('links');
  await expectViolations(['fw/bad-link']);
});

test('non-ASCII, tab and newline in names', async () => {
  branch('names');
  fw.commit('names', { 'fw/ok é\tx': '1\n', 'pm/ü\nn': '2\n' });
  await expectViolations(['pm/ü\nn']);
});

test('policy-file edits by a team', async () => {
  branch('policy');
  fw.commit('edit', { 'fw/CLAUDE.md': '---\nscope:\n  write: ["*"]\n---\n' });
  const json = await expectViolations(['fw/CLAUDE.md']);
  expect(JSON.stringify(json)).toContain('policy-file');
});

test('ranges with merges of the protected branch: no false positives; an explicit A..B range means what it says', async () => {
  const name = branch('merge-main');
  fw.commit('fw', { 'fw/m.txt': '1\n' });
  expect(push(fw, [name]).code).toBe(0);
  const oldBase = fw.head();
  setup.architect.git(['pull', '-q', 'origin', 'main']);
  setup.architect.commit('pm work via the architect', { 'pm/merged.md': 'pm\n' });
  expect(push(setup.architect, ['main']).code).toBe(0);
  const architectCommit = setup.architect.head();
  fw.git(['fetch', '-q', 'origin']);
  fw.git(['merge', '-q', '--no-edit', 'origin/main']);
  const merge = fw.head();
  fw.commit('fw again', { 'fw/m2.txt': '2\n' });
  // The default range (commits not on origin/main): fw's two commits and the merge, which brings in
  // pm/merged.md from main. Nothing is reported: what main already has is not fw's change.
  const result = await check();
  expect(result.stdout).toMatch(/^ok: 3 commit\(s\) in HEAD \(commits not on origin\/main, main\) stay inside team fw's scope/);
  expect(result.code).toBe(0);
  const json = JSON.parse((await check('--json')).stdout) as { ok: boolean; commits: number; violations: unknown[] };
  expect(json).toMatchObject({ ok: true, commits: 3, violations: [] });
  expect(fw.git(['rev-list', '--count', 'HEAD', '--not', 'origin/main'])).toBe('3');
  expect(fw.git(['rev-list', '--parents', '-n', '1', merge]).split(' ')).toHaveLength(3); // really a merge
  // The same work judged explicitly from the old base: the range now holds the architect's pm commit
  // (it is not reachable from the base), and it is reported as not fw's to make.
  const explicit = await check('--json', `${oldBase}..HEAD`);
  expect(explicit.code).toBe(1);
  const verdict = JSON.parse(explicit.stdout) as { commits: number; violations: { commit: string; path: string }[] };
  expect(verdict.commits).toBe(3);
  expect(verdict.violations.map((violation) => [violation.commit, violation.path])).toEqual([[architectCommit, 'pm/merged.md']]);
});

test('a branch named like a file (fw/x where a path fw/x exists)', async () => {
  branch('file-like');
  fw.commit('a file named fw/x', { 'fw/x': 'x\n' });
  fw.git(['checkout', '-q', '-b', 'fw/x']);
  fw.commit('more', { 'fw/y': 'y\n', 'pm/z': 'z\n' });
  await expectViolations(['pm/z'], 'fw/x');
  const team = await check('--team', 'fw', 'fw/x');
  expect(team.code).toBe(1);
});

test('team from --team overrides the branch; unknown team is a usage error', async () => {
  branch('team');
  fw.commit('pm stuff', { 'pm/p.md': 'p\n' });
  expect((await check('--team', 'pm')).code).toBe(0);
  const unknown = await check('--team', 'nope');
  expect(unknown.code).toBe(2);
  expect(unknown.stderr).toContain('no team "nope"');
  expect(unknown.stderr).toContain('teams are: fw, pm, qa');
});

test('no team can be told: exit 2 with the fix', async () => {
  fw.git(['checkout', '-q', '-f', '-B', 'scratch', 'origin/main']);
  const result = await check();
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('pass --team T');
});

test('explain names the deciding pattern and file', async () => {
  const result = await runCommand(['explain', 'experiments/x/run.py'], { cwd: fw.dir, env: setup.env });
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/fw: may write, by "experiments\/x\/" \(fw\/CLAUDE\.md:\d+:\d+\)/);
  expect(result.stdout).toContain('pm: may not');
  const denied = await runCommand(['explain', '--team', 'pm', 'fw/a.txt'], { cwd: fw.dir, env: setup.env });
  expect(denied.code).toBe(1);
  const policy = await runCommand(['explain', 'fw/CLAUDE.md', '--json'], { cwd: fw.dir, env: setup.env });
  expect(JSON.parse(policy.stdout).policyFile).toBe(true);
});

test('--help for every command, and usage errors exit 2', async () => {
  for (const name of ['check', 'explain']) {
    const help = await runCommand([name, '--help'], { cwd: fw.dir, env: setup.env });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain(`Usage: coord-hooks ${name}`);
    expect(help.stdout).toContain('Exit codes:');
  }
  const bad = await runCommand(['check', '--nope'], { cwd: fw.dir, env: setup.env });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("Unknown option '--nope'");
});

test('output larger than a pipe buffer reaches a reader in full (the compiled CLI through a pipe)', async () => {
  const { runProcess } = await import('../../core/process');
  const { packageInfo } = await import('../../core/package-info');
  const { join } = await import('path');
  branch('big-output');
  const files: Record<string, string> = {};
  for (let i = 0; i < 1500; i += 1) files[`pm/many/file-with-a-long-name-${i}.txt`] = `${i}\n`;
  fw.commit('many out-of-scope files', files);
  // A slow reader: the pipe fills while node writes.
  const result = await runProcess('/bin/sh', ['-c', `'${process.execPath}' '${join(packageInfo().root, 'dist', 'cli', 'main.js')}' check --json | (sleep 0.3; cat)`], { env: fw.env, cwd: fw.dir });
  expect(result.stdout.length).toBeGreaterThan(100000);
  const json = JSON.parse(result.stdout) as { violations: unknown[] };
  expect(json.violations).toHaveLength(1500);
});
