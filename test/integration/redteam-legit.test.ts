/**
 * Red team, the other side: everyday pushes the new gate must still accept (each asserts exit 0 and
 * that the ref moved), plus the repository's own view: replace refs and grafts an administrator made
 * in the server repository must neither widen a scope, nor hide a commit, nor brick the repository.
 */
import { writeFileSync, rmSync } from 'fs';
import { join } from 'path';
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, makeSetup, type Setup } from '../../fixtures/server';
import { createTags } from '../../fixtures/tags';
import { FRAGMENT, expectAccepted, expectRejected, fetched, policyWith, serverRef, writeBlob } from '../../fixtures/redteam';

const run = (repo: Repo, ...argv: string[]) => runCommand(argv, { cwd: repo.dir, env: repo.env });

describe('accepted (ref mode)', () => {
  let setup: Setup;
  let fwKey: SshKey;
  let fw: Repo;

  beforeAll(async () => {
    fwKey = await makeSshKey(tempDir('coord-hooks-rt-legit-'), 'fw');
    setup = await makeSetup({ policy: policyWith(['extra-branches: ["scratch/"]']), signers: [signersLine('fw', fwKey)] });
    fw = setup.clone('fw');
    fw.git(['config', 'coord-hooks.team', 'fw']);
    configureSigning(fw, fwKey);
  });

  test('an ordinary in-scope push', () => {
    const branch = fw.freshBranch('fw/ordinary');
    const commit = fw.commit('fw work', { 'fw/ordinary.txt': 'o\n', 'experiments/x/o.sh': 'echo\n' });
    expectAccepted(setup, fw, [branch], { [`refs/heads/${branch}`]: commit });
  });

  test('the architect fast-forwards main (signed commit, push certificate: the fixture\'s default)', () => {
    const architect = setup.architect;
    architect.git(['checkout', '-q', '-B', 'main', fetched(architect, 'origin/main')]);
    const commit = architect.commit('architect: pm plan', { 'pm/plan.md': 'plan\n' });
    expectAccepted(setup, architect, ['main'], { 'refs/heads/main': commit });
  });

  test('merging main into a team branch', () => {
    const branch = fw.freshBranch('fw/merge-main', 'origin/main~1');
    fw.commit('fw work', { 'fw/m.txt': 'm\n' });
    fw.git(['merge', '-q', '--no-edit', fetched(fw, 'origin/main')]);
    expect(fw.git(['rev-list', '--count', '--merges', 'HEAD^..HEAD'])).toBe('1');
    expectAccepted(setup, fw, [branch], { [`refs/heads/${branch}`]: fw.head() });
  });

  test('a team deletes its own branch', () => {
    const branch = fw.freshBranch('fw/to-delete');
    const commit = fw.commit('fw work', { 'fw/d.txt': 'd\n' });
    expectAccepted(setup, fw, [branch], { [`refs/heads/${branch}`]: commit });
    expectAccepted(setup, fw, [`:refs/heads/${branch}`], { [`refs/heads/${branch}`]: null });
  });

  test('re-pushing a fw commit already on fw/a as fw/b', () => {
    fw.freshBranch('fw/a-src');
    const commit = fw.commit('fw work', { 'fw/ab.txt': 'ab\n' });
    expectAccepted(setup, fw, [`${commit}:refs/heads/fw/a`], { 'refs/heads/fw/a': commit });
    expectAccepted(setup, fw, [`${commit}:refs/heads/fw/b`], { 'refs/heads/fw/b': commit });
  });

  test('out-of-scope content on an extra branch (not scope-checked)', () => {
    fw.freshBranch('scratch-src');
    const commit = fw.commit('anything goes on scratch', { 'pm/idea.md': 'idea\n' });
    expectAccepted(setup, fw, [`${commit}:refs/heads/scratch/idea`], { 'refs/heads/scratch/idea': commit });
  });

  test('the architect\'s annotated signed tag named like its ref', async () => {
    const [tag] = await createTags(setup.architect, [{ name: 'v1.0', target: fetched(setup.architect, 'origin/main'), key: setup.architectKey }]);
    expectAccepted(setup, setup.architect, ['refs/tags/v1.0'], { 'refs/tags/v1.0': tag });
  });

  test('the architect\'s lightweight tag, pushed with the architect\'s certificate', () => {
    const main = fetched(setup.architect, 'origin/main');
    expectAccepted(setup, setup.architect, [`${main}:refs/tags/v1.0-lw`], { 'refs/tags/v1.0-lw': main });
  });

  test('announce → reply (REPLY.md executable) → signal-done, with the real CLI', async () => {
    const announced = await run(setup.architect, 'announce', '--team', 'fw', '--round', '1', '--message', 'Round 1.', '--expect', 'fw');
    expect(announced.stderr).toBe('');
    expect(announced.code).toBe(0);
    expect(serverRef(setup, 'refs/heads/fw/round-1')).not.toBeNull();
    expect(serverRef(setup, 'refs/tags/round-1/start')).not.toBeNull();
    fw.git(['fetch', '-q', 'origin']);
    fw.git(['switch', '-q', '-c', 'fw/round-1', '--track', 'origin/fw/round-1']);
    fw.commit('engine work', { 'fw/engine.txt': 'fast\n' });
    const replied = await run(fw, 'reply', '--message', 'Done.');
    expect(replied.stderr).toBe('');
    expect(serverRef(setup, 'refs/heads/fw/round-1')).toBe(fw.head());
    fw.write('rounds/1/fw/REPLY.md', 'Done, and executable.\n', 0o755);
    fw.git(['add', '-A']);
    fw.git(['commit', '-q', '-m', 'reply, mode 100755']);
    expect(fw.git(['ls-tree', 'HEAD', 'rounds/1/fw/REPLY.md'])).toMatch(/^100755 /);
    expectAccepted(setup, fw, ['fw/round-1'], { 'refs/heads/fw/round-1': fw.head() });
    const done = await run(fw, 'signal-done', '--round', '1');
    expect(done.stderr).toBe('');
    expect(done.code).toBe(0);
    expect(setup.server.git(['rev-parse', 'round-1/done/fw^{commit}'])).toBe(fw.head());
  });
});

describe('coord.extra-refs: ["refs/notes/"]', () => {
  let setup: Setup;
  let fw: Repo;

  beforeAll(async () => {
    setup = await makeSetup({ policy: policyWith(['extra-refs: ["refs/notes/"]']) });
    fw = setup.clone('fw');
  });

  test('a notes ref is accepted', () => {
    fw.git(['notes', 'add', '-m', 'reviewed', fetched(fw, 'origin/main')]);
    expectAccepted(setup, fw, ['refs/notes/commits'], { 'refs/notes/commits': fw.rev('refs/notes/commits') });
  });

  test('refs/replace/ is still refused (attack)', () => {
    const main = fetched(fw, 'origin/main');
    const replacement = fw.git(['commit-tree', '-p', main, '-m', 'replacement', `${main}^{tree}`]);
    expectRejected(setup, fw, [`${replacement}:refs/replace/${main}`], FRAGMENT.replaceRef);
  });
});

describe('the repository\'s own view: replace refs and grafts made on the server', () => {
  let setup: Setup;
  let fw: Repo;

  beforeAll(async () => {
    setup = await makeSetup();
    fw = setup.clone('fw');
  });

  /** A legitimate fw push and an architect fast-forward of main still work (the repository is not bricked). */
  function stillWorks(label: string): void {
    const branch = fw.freshBranch(`fw/${label}`);
    const commit = fw.commit('fw work', { [`fw/${label}.txt`]: 'x\n' });
    expectAccepted(setup, fw, [branch], { [`refs/heads/${branch}`]: commit });
    const architect = setup.architect;
    architect.git(['checkout', '-q', '-B', 'main', fetched(architect, 'origin/main')]);
    const main = architect.commit(`architect after ${label}`, { [`shared/${label}.txt`]: 'x\n' });
    expectAccepted(setup, architect, ['main'], { 'refs/heads/main': main });
  }

  test('a server-side replace ref swapping fw/CLAUDE.md for a widened one widens nothing (attack) and bricks nothing', () => {
    const server = setup.server;
    const policyBlob = server.git(['rev-parse', 'main:fw/CLAUDE.md']);
    const widened = writeBlob(server, '---\nscope:\n  write: ["*"]\n---\n');
    server.git(['replace', policyBlob, widened]);
    expect(server.git(['for-each-ref', '--format=%(refname) %(objectname)', 'refs/replace/'])).toBe(`refs/replace/${policyBlob} ${widened}`);
    const branch = fw.freshBranch('fw/widened');
    fw.commit('use the widened scope', { 'pm/widened.txt': 'mine\n' });
    expectRejected(setup, fw, [branch], FRAGMENT.viewReplacedPolicy);
    stillWorks('after-fw-replace');
    server.git(['replace', '-d', policyBlob]);
  });

  test('a server-side replace ref swapping the root CLAUDE.md for broken YAML bricks nothing', () => {
    const server = setup.server;
    const rootBlob = server.git(['rev-parse', 'main:CLAUDE.md']);
    server.git(['replace', rootBlob, writeBlob(server, '---\ncoord: [unclosed\n---\n')]);
    stillWorks('after-root-replace');
    server.git(['replace', '-d', rootBlob]);
  });

  test('a server-side replace ref showing an in-scope commit in place of an out-of-scope one (attack)', () => {
    const base = fetched(fw, 'origin/main');
    fw.git(['checkout', '-q', '-B', 'decoy', base]);
    const decoy = fw.commit('in scope', { 'fw/decoy.txt': 'decoy\n' });
    expectAccepted(setup, fw, [`${decoy}:refs/heads/fw/decoy`], { 'refs/heads/fw/decoy': decoy });
    fw.git(['checkout', '-q', '-B', 'real', base]);
    const real = fw.commit('out of scope', { 'pm/replaced.txt': 'real\n' });
    setup.server.git(['update-ref', `refs/replace/${real}`, decoy]);
    expectRejected(setup, fw, [`${real}:refs/heads/fw/replaced`], FRAGMENT.viewReplacedCommit);
    setup.server.git(['update-ref', '-d', `refs/replace/${real}`]);
  });

  test('a graft in the server\'s info/grafts hiding an out-of-scope commit (attack)', () => {
    const base = fetched(fw, 'origin/main');
    fw.git(['checkout', '-q', '-B', 'grafted', base]);
    fw.commit('out of scope', { 'pm/grafted.txt': 'hidden\n' });
    const tip = fw.commit('in scope on top', { 'fw/on-top.txt': 'top\n' });
    const grafts = join(setup.server.dir, 'info', 'grafts');
    writeFileSync(grafts, `${tip} ${base}\n`);
    try {
      expectRejected(setup, fw, [`${tip}:refs/heads/fw/grafted`], FRAGMENT.viewGraftedCommit);
    } finally {
      rmSync(grafts, { force: true });
    }
  });
});
