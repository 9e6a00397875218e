/**
 * The server gate in `ref` identity mode, through real `git push` into a real bare repository.
 * Every rejection must leave the server's refs and reachable objects exactly as they were.
 */
import { makeSetup, push, snapshot, type Setup } from '../../fixtures/server';
import type { Repo } from '../../fixtures/repo';
import { readAudit } from '../../core/audit';

let setup: Setup;
let fw: Repo;

beforeAll(async () => {
  setup = await makeSetup();
  fw = setup.clone('fw');
});

/** A fresh branch fw/<name>-<n> from origin/main in the fw clone. */
const branch = (name: string) => fw.freshBranch(`fw/${name}`);

function expectRejected(refspecs: string[], ...fragments: string[]): string {
  const before = snapshot(setup.server);
  const result = push(fw, refspecs);
  expect(result.output).toContain('coord-hooks: push rejected');
  for (const fragment of fragments) expect(result.output).toContain(fragment);
  expect(result.code).not.toBe(0);
  expect(snapshot(setup.server)).toBe(before);
  return result.output;
}

function expectAccepted(refspecs: string[]): void {
  const result = push(fw, refspecs);
  if (result.code !== 0) throw new Error(`push was rejected:\n${result.output}`);
}

describe('rejected', () => {
  test('out-of-scope add', () => {
    const name = branch('add');
    fw.commit('add pm file', { 'pm/new.md': 'x\n' });
    expectRejected([name], 'pm/new.md', "outside team fw's write scope", 'belongs to team pm', 'team fw may write: fw/, experiments/x/');
  });

  test('out-of-scope modify', () => {
    const name = branch('modify');
    fw.commit('edit pm readme', { 'pm/README.md': 'changed\n' });
    expectRejected([name], 'pm/README.md');
  });

  test('out-of-scope delete', () => {
    const name = branch('delete');
    fw.remove('pm/README.md');
    fw.commit('delete pm readme');
    expectRejected([name], 'pm/README.md');
  });

  test('out-of-scope mode change', () => {
    const name = branch('mode');
    fw.git(['update-index', '--chmod=+x', 'pm/README.md']);
    fw.git(['commit', '-q', '-m', 'chmod']);
    expectRejected([name], 'pm/README.md');
  });

  test('rename whose source is outside the scope', () => {
    const name = branch('rename');
    fw.git(['mv', 'pm/README.md', 'fw/stolen.md']);
    fw.git(['commit', '-q', '-m', 'move pm readme into fw']);
    const output = expectRejected([name], 'pm/README.md');
    expect(output).not.toContain('fw/stolen.md:');
  });

  test('evil merge: a change made inside the merge commit', () => {
    const name = branch('evil');
    fw.commit('fw work', { 'fw/a.txt': 'a\n' });
    fw.git(['checkout', '-q', '-b', `${name}-side`, 'origin/main']);
    fw.commit('more fw work', { 'fw/b.txt': 'b\n' });
    fw.git(['checkout', '-q', name]);
    fw.git(['merge', '-q', '--no-ff', '--no-commit', `${name}-side`]);
    fw.write('pm/README.md', 'evil\n');
    fw.git(['add', '-A']);
    fw.git(['commit', '-q', '--no-edit']);
    expectRejected([name], 'pm/README.md');
  });

  test('revert pair hides nothing', () => {
    const name = branch('revert');
    const bad = fw.commit('touch pm', { 'pm/README.md': 'sneaky\n' });
    fw.git(['revert', '--no-edit', bad]);
    expectRejected([name], 'pm/README.md', bad.slice(0, 10));
  });

  test('symlink inside the scope pointing outside it', () => {
    const name = branch('symlink');
    fw.symlink('fw/link', '../pm/README.md');
    fw.commit('link');
    expectRejected([name], 'fw/link', 'symlink to "../pm/README.md"');
  });

  test('symlink pointing outside the repository', () => {
    const name = branch('symlink-out');
    fw.symlink('fw/etc', '/etc/passwd');
    fw.commit('link out');
    expectRejected([name], 'fw/etc');
  });

  test('gitlink outside the scope', () => {
    const name = branch('gitlink');
    fw.git(['update-index', '--add', '--cacheinfo', `160000,${fw.head()},pm/sub`]);
    fw.git(['commit', '-q', '-m', 'submodule in pm']);
    expectRejected([name], 'pm/sub');
  });

  test('non-ASCII, tab and newline in out-of-scope names', () => {
    const name = branch('names');
    fw.commit('odd names', { 'pm/é日本.md': '1\n', 'pm/tab\there': '2\n', 'pm/new\nline': '3\n' });
    expectRejected([name], 'pm/é日本.md', '"pm/tab\\there"', '"pm/new\\nline"');
  });

  test('root .gitattributes and .gitmodules', () => {
    const name = branch('root-files');
    fw.commit('attributes', { '.gitattributes': 'fw/** filter=evil\n', '.gitmodules': '[submodule "x"]\n\tpath = x\n\turl = ../x\n' });
    expectRejected([name], '.gitattributes', '.gitmodules', 'no team may write it');
  });

  test('a case variant of the team directory', () => {
    const name = branch('case');
    fw.commit('case', { 'FW/x.txt': 'x\n' });
    expectRejected([name], 'FW/x.txt');
  });

  test('policy widening inside the same push', () => {
    const name = branch('widen');
    fw.commit('widen', { 'fw/CLAUDE.md': '---\nscope:\n  write: ["*"]\n---\n' });
    fw.commit('use it', { 'pm/README.md': 'mine now\n' });
    expectRejected([name], 'fw/CLAUDE.md', 'policy file', 'pm/README.md');
  });

  test('a team edit to a policy file (body only) and the signers file', () => {
    const name = branch('policy-edit');
    fw.write('fw/CLAUDE.md', `${fw.git(['show', 'HEAD:fw/CLAUDE.md'])}\nextra line\n`);
    fw.write('.coord/allowed_signers', 'fw ssh-ed25519 AAAA\n');
    fw.commit('edit policy');
    expectRejected([name], 'fw/CLAUDE.md', '.coord/allowed_signers', 'policy files');
  });

  test('a new CLAUDE.md with front-matter inside the scope is a policy file', () => {
    const name = branch('new-policy');
    fw.commit('sub team', { 'fw/sub/CLAUDE.md': '---\nteam: sub\nscope:\n  write: ["pm/"]\n---\n' });
    expectRejected([name], 'fw/sub/CLAUDE.md', 'policy file');
  });

  test('a team updating the protected branch, fast-forward included', () => {
    branch('main-ff');
    fw.commit('straight to main', { 'fw/a.txt': 'a\n' });
    expectRejected(['HEAD:refs/heads/main'], 'refs/heads/main', 'only the architect may update the protected branch main');
  });

  test('content pushed to another team\'s branch', () => {
    branch('other-team');
    fw.commit('fw work', { 'fw/a.txt': 'a\n' });
    expectRejected(['HEAD:refs/heads/pm/hijack'], 'fw/a.txt', "outside team pm's write scope");
  });

  test('a branch outside every team namespace', () => {
    branch('ns');
    fw.commit('fw work', { 'fw/a.txt': 'a\n' });
    expectRejected(['HEAD:refs/heads/feature/x'], 'outside every team namespace');
  });

  test('a two-ref push where one ref is bad: neither lands', () => {
    const good = branch('two-good');
    fw.commit('good', { 'fw/good.txt': 'g\n' });
    const bad = branch('two-bad');
    fw.commit('bad', { 'pm/bad.txt': 'b\n' });
    expectRejected([good, bad], 'pm/bad.txt', 'nothing was accepted');
  });

  test('content that is not new: a team branch pointing at another team\'s pushed commits', () => {
    const pm = setup.clone('pm-existing');
    pm.git(['checkout', '-q', '-b', 'pm/work']);
    pm.commit('pm work', { 'pm/plan.md': 'pm\n' });
    expect(push(pm, ['pm/work']).code).toBe(0);
    branch('borrow');
    fw.git(['fetch', '-q', 'origin']);
    // No new commit at all: pm's commit enters fw's branches, so it is judged for fw.
    expectRejected(['origin/pm/work:refs/heads/fw/borrowed'], '(pm work): pm/plan.md');
    // A new merge commit whose other parent is pm's pushed commit: the merge adds nothing of its own.
    fw.commit('fw work', { 'fw/own.txt': 'own\n' });
    fw.git(['merge', '-q', '--no-edit', 'origin/pm/work']);
    expectRejected(['HEAD:refs/heads/fw/merged-pm'], '(pm work): pm/plan.md');
  });

  test('an unsigned round done-tag (the rest of the done-tag rules: gate-rounds.test.ts)', () => {
    branch('tag');
    fw.git(['tag', '--no-sign', '-a', '-m', 'done', 'round-1/done/fw']);
    expectRejected(['refs/tags/round-1/done/fw'], 'round-1/done/fw: the tag is not signed');
  });

  test('2,500 violations are summarised: 20 listed, all 2,500 counted by top directory, under 80 lines', () => {
    const name = branch('many');
    const files: Record<string, string> = {};
    for (let i = 0; i < 2500; i += 1) files[`pm/d${i % 7}/f${i}.txt`] = `${i}\n`;
    fw.commit('lots', files);
    const output = expectRejected([name], '... and 2480 more. By directory:');
    expect(output.match(/^remote: {3}\S+ \S+ \(lots\): pm\/d\d\/f\d+\.txt *$/gm)).toHaveLength(20);
    // Every violation is counted, by top-level directory.
    expect(output).toMatch(/^remote: +2500 {2}pm\/ *$/m);
    expect(output.split('\n').length).toBeLessThan(80);
  });
});

describe('accepted', () => {
  test('a new branch with only in-scope changes (no whole-tree false positive)', () => {
    const name = branch('ok');
    fw.commit('fw work', { 'fw/a.txt': 'a\n', 'experiments/x/run.sh': 'echo\n' });
    expectAccepted([name]);
  });

  test('renames inside the scope', () => {
    const name = branch('rename-ok');
    fw.git(['mv', 'fw/README.md', 'fw/README-moved.md']);
    fw.git(['commit', '-q', '-m', 'move']);
    expectAccepted([name]);
  });

  test('non-ASCII and newline names inside the scope', () => {
    const name = branch('names-ok');
    fw.commit('odd names', { 'fw/é日本.md': '1\n', 'fw/new\nline': '2\n', 'fw/tab\tname': '3\n' });
    expectAccepted([name]);
  });

  test('merging the protected branch into a team branch after main moved', () => {
    const name = branch('merge-main');
    fw.commit('fw work', { 'fw/m.txt': 'm\n' });
    expectAccepted([name]);
    // The architect moves main (signed, as ref mode requires) with another team's work.
    setup.architect.git(['pull', '-q', 'origin', 'main']);
    setup.architect.commit('pm work merged by the architect', { 'pm/plan.md': 'plan\n' });
    const main = push(setup.architect, ['main']);
    if (main.code !== 0) throw new Error(main.output);
    fw.git(['fetch', '-q', 'origin']);
    fw.git(['merge', '-q', '--no-edit', 'origin/main']);
    fw.commit('more fw', { 'fw/m2.txt': 'm2\n' });
    expectAccepted([name]);
  });

  test('deleting the team\'s own branch', () => {
    const name = branch('delete-own');
    fw.commit('fw work', { 'fw/d.txt': 'd\n' });
    expectAccepted([name]);
    expectAccepted([`:refs/heads/${name}`]);
    expect(setup.server.tryGit(['rev-parse', '--verify', `refs/heads/${name}`]).code).not.toBe(0);
  });
});

describe('protected branch and audit', () => {
  test('an architect push to main without a push certificate is rejected, even of a signed commit; with one it is accepted', () => {
    const architect = setup.architect;
    architect.git(['pull', '-q', 'origin', 'main']);
    architect.commit('signed, but pushed without a certificate', { 'shared/config.txt': 'v2\n' });
    const before = snapshot(setup.server);
    const rejected = push(architect, ['--no-signed', 'main']);
    expect(rejected.code).not.toBe(0);
    expect(rejected.output).toContain('the push carries no push certificate');
    expect(rejected.output).toContain('git push --signed');
    expect(snapshot(setup.server)).toBe(before);
    const accepted = push(architect, ['main']);
    expect(accepted.output).not.toContain('rejected');
    expect(accepted.code).toBe(0);
  });

  test('every verdict is in the audit log', () => {
    const records = readAudit(setup.server.dir);
    expect(records.some((record) => record.event === 'rejected' && (record.violations ?? 0) > 0)).toBe(true);
    expect(records.some((record) => record.event === 'accepted')).toBe(true);
  });
});
