/**
 * The client hooks in real clones, installed by `installCloneHooks` (the scripts `coord-hooks install`
 * writes) and run by git itself: pre-commit, pre-push, post-merge, reference-transaction.
 */
import { mkdirSync, readdirSync } from 'fs';
import { join } from 'path';
import { installClientHooks } from '../../fixtures/client-hooks';
import { teamClaude } from '../../fixtures/policies';
import { removeDir, type Repo } from '../../fixtures/repo';
import { makeSetup, push, type Setup } from '../../fixtures/server';
import { gitSync } from '../../git/run';
import { runProcess } from '../../core/process';
import { roundNews } from '../../hooks/client/reference-transaction';

let setup: Setup;
let fw: Repo;

beforeAll(async () => {
  setup = await makeSetup();
  fw = setup.clone('fw');
  await installClientHooks(fw, 'fw');
  await installClientHooks(setup.architect);
});

afterAll(() => removeDir(setup.root));

/** A fresh fw branch from origin/main, clean work tree. */
const branch = (name: string) => fw.freshBranch(`fw/${name}`);

/** `git commit` with the hooks running (Repo.commit passes --no-verify). */
function commit(repo: Repo, args: string[]) {
  const before = repo.head();
  const result = repo.tryGit(['commit', '-q', ...args]);
  return { code: result.code, output: result.stdout.toString('utf8') + result.stderr, moved: repo.head() !== before };
}

/** git with extra environment (the Repo helper has none). */
function gitEnv(repo: Repo, args: string[], env: NodeJS.ProcessEnv) {
  const result = gitSync(args, { cwd: repo.dir, env: { ...repo.env, ...env }, okCodes: Array.from({ length: 255 }, (_, i) => i + 1) });
  return { code: result.code, output: result.stdout.toString('utf8') + result.stderr };
}

describe('pre-commit', () => {
  test('an out-of-scope commit is refused with the server\'s message; an in-scope one passes', () => {
    branch('scope');
    fw.write('pm/plan.md', 'x\n').git(['add', '-A']);
    const refused = commit(fw, ['-m', 'touch pm']);
    expect(refused.code).toBe(1);
    expect(refused.moved).toBe(false);
    expect(refused.output).toContain('staged: pm/plan.md');
    expect(refused.output).toContain("outside team fw's write scope; it belongs to team pm");
    expect(refused.output).toContain('team fw may write: fw/, experiments/x/');
    expect(refused.output).toContain('commit refused by coord-hooks pre-commit (the server would reject it too)');
    fw.git(['reset', '-q', '--hard']);
    fw.git(['clean', '-qfdx']);

    fw.write('fw/ok.txt', 'ok\n').git(['add', '-A']);
    const accepted = commit(fw, ['-m', 'fw work']);
    expect(accepted).toEqual({ code: 0, output: '', moved: true });
  });

  test('renames from outside, symlinks leaving the scope, policy files and `commit -a` are judged', () => {
    branch('kinds');
    fw.git(['mv', 'pm/README.md', 'fw/taken.md']);
    fw.symlink('fw/escape', '../qa/README.md');
    fw.write('fw/CLAUDE.md', teamClaude(['fw/', 'pm/']));
    fw.git(['add', '-A']);
    const refused = commit(fw, ['-m', 'three ways out']);
    expect(refused.code).toBe(1);
    expect(refused.output).toContain('staged: pm/README.md');
    expect(refused.output).toMatch(/staged: fw\/escape\n\s+symlink to "..\/qa\/README.md"/);
    expect(refused.output).toMatch(/staged: fw\/CLAUDE.md\n\s+policy file/);
    expect(refused.output).not.toContain('fw/taken.md');

    branch('all');
    fw.write('qa/README.md', 'edited\n');
    const all = commit(fw, ['-a', '-m', 'commit -a']);
    expect(all.code).toBe(1);
    expect(all.output).toContain('staged: qa/README.md');
  });

  test('concluding a merge of main: what main brings passes, the merge\'s own out-of-scope edits do not', () => {
    const name = branch('merge');
    fw.commit('fw edits its README', { 'fw/README.md': 'fw side\n' });
    const architect = setup.architect;
    architect.git(['fetch', '-q', 'origin']);
    architect.git(['reset', '-q', '--hard', 'origin/main']);
    architect.write('fw/README.md', 'main side\n').write('pm/README.md', 'architect edit\n').git(['add', '-A']);
    architect.git(['commit', '-q', '-m', 'architect edits fw and pm']);
    expect(push(architect, ['main']).code).toBe(0);

    fw.git(['fetch', '-q', 'origin']);
    expect(fw.tryGit(['merge', '-q', 'origin/main']).code).not.toBe(0); // conflict in fw/README.md
    fw.write('fw/README.md', 'both\n').git(['add', 'fw/README.md']);
    const merged = commit(fw, ['--no-edit']);
    expect(merged).toEqual({ code: 0, output: '', moved: true });

    fw.git(['reset', '-q', '--hard', `${name}~1`]); // back to before the merge, and again
    expect(fw.tryGit(['merge', '-q', 'origin/main']).code).not.toBe(0);
    fw.write('fw/README.md', 'both\n').write('qa/README.md', 'evil\n').git(['add', '-A']);
    const evil = commit(fw, ['--no-edit']);
    expect(evil.code).toBe(1);
    expect(evil.output).toContain('staged: qa/README.md');
    expect(evil.output).not.toContain('pm/README.md');
    fw.git(['merge', '--abort']);
  });

  test('COORD_HOOKS=0 skips the client hooks (the template says so)', () => {
    branch('skip');
    fw.write('pm/skip.md', 'x\n').git(['add', '-A']);
    const result = gitEnv(fw, ['commit', '-q', '-m', 'skipped'], { COORD_HOOKS: '0' });
    expect(result.code).toBe(0);
    expect(result.output).toContain('coord-hooks: pre-commit skipped (COORD_HOOKS=0)');
  });

  test('no team (the architect on main): silent, exit 0', () => {
    const architect = setup.architect;
    architect.write('pm/from-architect.md', 'x\n').git(['add', '-A']);
    const result = commit(architect, ['-m', 'architect edits pm']);
    expect(result).toEqual({ code: 0, output: '', moved: true });
    architect.git(['reset', '-q', '--hard', 'origin/main']);
  });
});

describe('pre-push', () => {
  test('refuses an out-of-scope commit made with --no-verify; the server would have refused it too', () => {
    const name = branch('push');
    fw.commit('fw work', { 'fw/a.txt': 'a\n' });
    fw.commit('sneak into pm', { 'pm/sneak.md': 'x\n' }); // Repo.commit uses --no-verify
    const refused = push(fw, [`${name}:${name}`]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('(sneak into pm): pm/sneak.md');
    expect(refused.output).toContain(`${name} `);
    expect(refused.output).toContain('push refused by coord-hooks pre-push (the server would reject it too)');
    expect(refused.output).not.toContain('fw/a.txt');
    expect(setup.server.tryGit(['rev-parse', '--verify', '-q', `refs/heads/${name}`]).code).not.toBe(0);

    const skipped = gitEnv(fw, ['push', '--porcelain', 'origin', `${name}:${name}`], { COORD_HOOKS: '0' });
    expect(skipped.code).not.toBe(0);
    expect(skipped.output).toContain('coord-hooks: push rejected'); // the server gate
  });

  test('an in-scope branch is pushed; pushing to main from a team clone is refused', () => {
    const name = branch('ok');
    fw.commit('fw only', { 'fw/b.txt': 'b\n' });
    const ok = push(fw, [`${name}:${name}`]);
    expect(ok.code).toBe(0);
    expect(ok.output).not.toContain('coord-hooks:');
    const main = push(fw, [`${name}:main`]);
    expect(main.code).not.toBe(0);
    expect(main.output).toContain('refs/heads/main is a protected branch: only the architect updates it');
    expect(main.output).toContain('push to fw/… instead');
  });

  test('deleting a branch is not judged: a branch holding an out-of-scope commit is deleted without a word', () => {
    const name = branch('delete');
    fw.commit('fw', { 'fw/c.txt': 'c\n' });
    fw.commit('out of scope', { 'pm/c.md': 'c\n' }); // --no-verify
    // The only way such a branch reaches the server: the server's bypass, for this one push.
    setup.server.git(['config', 'coord-hooks.bypass', 'true']);
    try {
      expect(gitEnv(fw, ['push', '-q', 'origin', `${name}:${name}`], { COORD_HOOKS: '0' }).code).toBe(0);
    } finally {
      setup.server.git(['config', '--unset', 'coord-hooks.bypass']);
    }
    // pre-push judges this commit when it is pushed (the control) …
    const again = push(fw, [`${name}:${name}-again`]);
    expect(again.code).not.toBe(0);
    expect(again.output).toContain('push refused by coord-hooks pre-push');
    expect(again.output).toContain(`${name}-again net change: pm/c.md`);
    // … and not when the branch holding it is deleted, from the clone that has it or by its remote name.
    const deleted = push(fw, [`:${name}`]);
    expect(deleted.code).toBe(0);
    expect(deleted.output).not.toContain('coord-hooks:');
    expect(setup.server.tryGit(['rev-parse', '--verify', '-q', `refs/heads/${name}`]).code).not.toBe(0);
  });
});

describe('notifications', () => {
  test('post-merge shows the new scope after pulling the architect\'s policy change', () => {
    const architect = setup.architect;
    architect.git(['fetch', '-q', 'origin']);
    architect.git(['reset', '-q', '--hard', 'origin/main']);
    architect.write('fw/CLAUDE.md', teamClaude(['fw/', 'experiments/x/', 'shared/'])).git(['add', '-A']);
    architect.git(['commit', '-q', '-m', 'widen fw']); // signed (makeSetup configures it)
    expect(push(architect, ['main']).code).toBe(0);

    fw.git(['checkout', '-q', '-f', '-B', 'main', 'origin/main~0']);
    const pulled = fw.tryGit(['pull', '--no-rebase', 'origin', 'main']);
    const output = pulled.stdout.toString('utf8') + pulled.stderr;
    expect(pulled.code).toBe(0);
    expect(output).toContain('coord-hooks: the policy changed (fw/CLAUDE.md); your scope is now: write fw/, experiments/x/, shared/ · read *');
  });

  test('reference-transaction announces a fetched done tag and the team\'s new round branch', () => {
    const server = setup.server;
    server.git(['tag', '-a', '-m', 'pm is done', 'round-1/done/pm', 'main']);
    server.git(['branch', 'fw/round-4', 'main']);
    server.git(['branch', 'pm/round-4', 'main']);
    const fetched = fw.tryGit(['fetch', '--tags', 'origin']);
    const output = fetched.stdout.toString('utf8') + fetched.stderr;
    expect(fetched.code).toBe(0);
    expect(output).toContain('coord-hooks: round 1: pm is done');
    expect(output).toContain('coord-hooks: round branch fw/round-4 is on the remote');
    expect(output).not.toContain('round branch pm/round-4'); // another team's
    expect(output.match(/round 1: pm is done/g)).toHaveLength(1);
    expect(output).toContain('done so far: pm');
  });

  test('a fetch that brings many done tags says so in one line', () => {
    for (let round = 20; round < 32; round += 1) setup.server.git(['tag', '-a', '-m', 'done', `round-${round}/done/qa`, 'main']);
    const fetched = fw.tryGit(['fetch', '--tags', 'origin']);
    const output = fetched.stdout.toString('utf8') + fetched.stderr;
    expect(fetched.code).toBe(0);
    // One hook run per ref: the first ten speak, then one line, then silence (no node start).
    expect(output.match(/coord-hooks: round \d+: qa is done/g)).toHaveLength(10);
    expect(output.match(/more round refs are arriving/g)).toHaveLength(1);
    expect(output).not.toContain('round 31: qa');
  });

  test('a round branch is announced once: pushing it and pulling it again say nothing more (issue 17)', () => {
    setup.server.git(['branch', 'fw/round-6', 'main']);
    const fetched = fw.tryGit(['fetch', 'origin']);
    expect(fetched.stderr).toContain('coord-hooks: round branch fw/round-6 is on the remote');
    fw.git(['checkout', '-q', '-B', 'fw/round-6', 'origin/fw/round-6']);
    fw.commit('fw round 6', { 'fw/r6.txt': '6\n' });
    // A push updates refs/remotes/origin/fw/round-6 with the zero id as old value: it looks new to the hook.
    const pushed = push(fw, ['fw/round-6']);
    expect(pushed.code).toBe(0);
    expect(pushed.output).not.toContain('round branch fw/round-6');
    setup.architect.git(['fetch', '-q', 'origin']);
    setup.architect.git(['checkout', '-q', '-B', 'fw/round-6', 'origin/fw/round-6']);
    setup.architect.write('fw/ANNOUNCEMENT.md', 'more\n').git(['add', '-A']);
    setup.architect.git(['commit', '-q', '-m', 'more for fw']);
    expect(push(setup.architect, ['fw/round-6']).code).toBe(0);
    const pulled = fw.tryGit(['pull', '--no-rebase', 'origin', 'fw/round-6']);
    expect(pulled.code).toBe(0);
    expect(pulled.stdout.toString('utf8') + pulled.stderr).not.toContain('round branch fw/round-6');
    fw.git(['checkout', '-q', 'main']);
  });

  test('reference-transaction runs no program for a commit or a plain fetch, and leaves no files behind', async () => {
    const tmp = join(setup.root, 'hook-tmp');
    mkdirSync(tmp);
    const hook = join(fw.dir, '.git', 'hooks', 'reference-transaction');
    const zero = '0'.repeat(40);
    const a = 'a'.repeat(40);
    // No PATH at all: any mktemp, cat, grep, rm (or node) would fail.
    for (const [state, input] of [['prepared', `${zero} ${a} refs/tags/round-9/done/fw\n`], ['committed', `${zero} ${a} refs/heads/fw/x\n${a} ${a} HEAD\n`],
      ['committed', `${a} ${a} refs/remotes/origin/fw/round-9\n`], ['aborted', `${zero} ${a} refs/tags/round-9/done/fw\n`]]) {
      const result = await runProcess('/bin/sh', [hook, state], { cwd: fw.dir, env: { TMPDIR: tmp }, input });
      expect({ state, input, status: result.code, stderr: result.stderr }).toEqual({ state, input, status: 0, stderr: '' });
    }
    branch('tmpfiles');
    fw.write('fw/tmp.txt', 'x\n').git(['add', '-A']);
    expect(gitEnv(fw, ['commit', '-q', '-m', 'tmp'], { TMPDIR: tmp }).code).toBe(0);
    setup.server.git(['tag', '-a', '-m', 'done', 'round-40/done/qa', 'main']);
    const fetched = gitEnv(fw, ['fetch', '--tags', 'origin'], { TMPDIR: tmp });
    expect(fetched.output).toContain('round 40: qa is done');
    expect(readdirSync(tmp)).toEqual([]);
  });

  test('roundNews: only creations of round refs, each once', () => {
    const zero = '0'.repeat(40);
    const a = 'a'.repeat(40);
    const input = [
      `${zero} ${a} refs/tags/round-3/done/fw`,
      `${zero} ${a} refs/tags/round-3/done/fw`,
      `${a} ${zero} refs/tags/round-2/done/qa`,
      `${a} ${a} refs/remotes/origin/fw/round-5`,
      `${zero} ${a} refs/remotes/origin/qa/round-5`,
      `${zero} ${a} refs/heads/fw/feature`,
      `${zero} ${a} refs/tags/round-x/done/fw`,
    ].join('\n');
    expect(roundNews(input)).toEqual([{ kind: 'done', round: 3, team: 'fw' }, { kind: 'announcement', round: 5, team: 'qa' }]);
  });
});

describe('install --claude / uninstall --claude through the CLI', () => {
  test('writes the guard for the team into settings.local.json, keeps foreign settings, and removes only ours', async () => {
    const { runCommand } = await import('../../fixtures/cli');
    const { makeSetup } = await import('../../fixtures/server');
    const { readFileSync, writeFileSync, mkdirSync } = await import('fs');
    const { join } = await import('path');
    const setup = await makeSetup();
    const clone = setup.clone('claude');
    mkdirSync(join(clone.dir, '.claude'));
    const local = join(clone.dir, '.claude', 'settings.local.json');
    writeFileSync(local, JSON.stringify({ model: 'x', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'true' }] }] } }));
    const installed = await runCommand(['install', '--claude', '--team', 'fw'], { cwd: clone.dir, env: setup.env });
    expect(installed.stderr).toBe('');
    expect(installed.stdout).toContain(`Claude Code: ${local} updated`);
    const settings = JSON.parse(readFileSync(local, 'utf8'));
    expect(settings.model).toBe('x');
    expect(settings.hooks.Stop).toHaveLength(1);
    expect(JSON.stringify(settings.hooks.PreToolUse)).toContain('hook claude-guard');
    expect(clone.git(['config', 'coord-hooks.team'])).toBe('fw');
    const removed = await runCommand(['uninstall', '--claude'], { cwd: clone.dir, env: setup.env });
    expect(removed.stdout).toContain('removed from');
    const after = JSON.parse(readFileSync(local, 'utf8'));
    expect(after).toEqual({ model: 'x', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'true' }] }] } });
  });
});
