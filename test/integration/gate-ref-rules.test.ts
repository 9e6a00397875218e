/**
 * The ref rules of gate/ref-rules.ts against real pushes into a gated bare server, one policy setting
 * at a time (docs/policy.md, "Refs"): the protected branch never rewinds nor disappears, whoever
 * asks; `other-tags` and `delete-branch` with each allowed value; `extra-branches`. Each test fails
 * when the rule it names is removed (tried: docs/mutation.md lists the rules). The clones here have
 * no client hooks: every verdict is the server's. test/integration/gate-rules.test.ts holds the
 * architect's own rewind and deletion of main and fw's deletion under `delete-branch: architect`.
 */
import { createTags } from '../../fixtures/tags';
import { expectAccepted, expectRejected, fetched, policyWith, serverRef } from '../../fixtures/redteam';
import { makeSetup, push, type Setup } from '../../fixtures/server';
import type { Repo } from '../../fixtures/repo';

/** A new branch `name` on the server, pushed by `repo`, holding one commit that writes `files`. */
function serverBranch(setup: Setup, repo: Repo, name: string, files: Record<string, string>): string {
  repo.freshBranch(name, 'origin/main');
  repo.commit(`work on ${name}`, files);
  expectAccepted(setup, repo, [`HEAD:refs/heads/${name}`], { [`refs/heads/${name}`]: repo.head() });
  return repo.head();
}

describe('default policy (delete-branch: team, other-tags: architect, no extra-branches)', () => {
  let setup: Setup;
  let fw: Repo;

  beforeAll(async () => {
    setup = await makeSetup();
    const { architect } = setup;
    architect.commit('architect work', { 'shared/config.txt': 'v2\n' });
    expect(push(architect, ['main']).code).toBe(0); // main has two commits: there is something to rewind
    fw = setup.clone('fw');
  });

  describe('the protected branch, pushed by a team', () => {
    test('a non-fast-forward update (force push to main~1) is refused as such', () => {
      const previous = fetched(fw, 'origin/main~1');
      expectRejected(setup, fw, [`+${previous}:refs/heads/main`], 'non-fast-forward update of the protected branch main');
    });

    test('a non-fast-forward update to an unrelated commit carrying only fw/ changes is refused as such', () => {
      fw.git(['checkout', '-q', '--orphan', 'unrelated']);
      fw.git(['rm', '-rq', '--cached', '.']);
      fw.commit('unrelated history', { 'fw/only.txt': 'x\n' });
      expectRejected(setup, fw, ['+HEAD:refs/heads/main'], 'non-fast-forward update of the protected branch main');
    });

    test('deleting main is refused: protected branches stay', () => {
      expectRejected(setup, fw, [':refs/heads/main'], 'the protected branch main cannot be deleted');
    });

    test('the control: the architect fast-forwards main', () => {
      const { architect } = setup;
      architect.commit('architect again', { 'shared/config.txt': 'v3\n' });
      expectAccepted(setup, architect, ['HEAD:refs/heads/main'], { 'refs/heads/main': architect.head() });
    });
  });

  describe('delete-branch: team (the default)', () => {
    test('a team deletes its own branch', () => {
      serverBranch(setup, fw, 'fw/gone', { 'fw/gone.txt': 'x\n' });
      expectAccepted(setup, fw, [':refs/heads/fw/gone'], { 'refs/heads/fw/gone': null });
    });
  });

  describe('other-tags: architect (the default)', () => {
    test('a team\'s lightweight tag is refused, and so is deleting or moving the architect\'s', async () => {
      const target = fetched(fw, 'origin/main');
      await createTags(fw, [{ name: 'fw-light', target, lightweight: true }]);
      expectRejected(setup, fw, ['refs/tags/fw-light'], 'only the architect may push the tag fw-light');

      const { architect } = setup;
      await createTags(architect, [{ name: 'v1.0', target, key: setup.architectKey }]);
      expectAccepted(setup, architect, ['refs/tags/v1.0'], { 'refs/tags/v1.0': architect.rev('refs/tags/v1.0') });
      expectRejected(setup, fw, [':refs/tags/v1.0'], 'only the architect may push the tag v1.0');
      expectRejected(setup, fw, [`+${target}:refs/tags/v1.0`], 'only the architect may push the tag v1.0');
    });

    test('the architect: a lightweight tag proved by the push certificate; a signed tag object proves itself without one', async () => {
      const { architect } = setup;
      const target = fetched(architect, 'origin/main');
      await createTags(architect, [{ name: 'arch-light', target, lightweight: true }, { name: 'arch-signed', target, key: setup.architectKey }]);
      expectAccepted(setup, architect, ['refs/tags/arch-light'], { 'refs/tags/arch-light': target });
      expectRejected(setup, architect, [':refs/tags/arch-light'], 'only the architect may push the tag arch-light', { config: ['push.gpgSign=false'] });
      expectAccepted(setup, architect, ['refs/tags/arch-signed'], { 'refs/tags/arch-signed': architect.rev('refs/tags/arch-signed') }, { config: ['push.gpgSign=false'] });
      expectAccepted(setup, architect, [':refs/tags/arch-light'], { 'refs/tags/arch-light': null });
    });
  });

  describe('no extra-branches', () => {
    test('a branch outside every team namespace is refused, even with in-scope content', () => {
      fw.freshBranch('scratch-default', 'origin/main');
      fw.commit('fw work', { 'fw/s.txt': 'x\n' });
      expectRejected(setup, fw, ['HEAD:refs/heads/scratch/x'], 'branch scratch/x is outside every team namespace');
    });
  });
});

describe('other-tags: anyone, delete-branch: architect, extra-branches: ["scratch/", ":(glob)exp-*"]', () => {
  let setup: Setup;
  let fw: Repo;
  let pm: Repo;

  beforeAll(async () => {
    setup = await makeSetup({ policy: policyWith(['other-tags: anyone', 'delete-branch: architect', 'extra-branches: ["scratch/", ":(glob)exp-*"]']) });
    fw = setup.clone('fw');
    pm = setup.clone('pm');
  });

  describe('other-tags: anyone', () => {
    test('a team pushes, moves and deletes a lightweight tag; another team deletes it too', async () => {
      const target = fetched(fw, 'origin/main');
      await createTags(fw, [{ name: 'fw-light', target, lightweight: true }]);
      expectAccepted(setup, fw, ['refs/tags/fw-light'], { 'refs/tags/fw-light': target });
      const tip = serverBranch(setup, fw, 'fw/tagged', { 'fw/t.txt': 't\n' });
      expectAccepted(setup, fw, [`+${tip}:refs/tags/fw-light`], { 'refs/tags/fw-light': tip });
      pm.git(['fetch', '-q', 'origin']);
      expectAccepted(setup, pm, [':refs/tags/fw-light'], { 'refs/tags/fw-light': null });
    });

    test('round tags keep their own rules: a team cannot push another team\'s done-tag', async () => {
      const target = fetched(fw, 'origin/main');
      await createTags(fw, [{ name: 'round-1/done/pm', target, lightweight: true }]);
      expectRejected(setup, fw, ['refs/tags/round-1/done/pm'], 'round-1/done/pm');
    });
  });

  describe('delete-branch: architect', () => {
    test('the owning team cannot delete its branch; the architect without a push certificate cannot either; with one, the branch goes', () => {
      serverBranch(setup, fw, 'fw/keep', { 'fw/k.txt': 'k\n' });
      expectRejected(setup, fw, [':refs/heads/fw/keep'], 'only the architect may delete fw/keep');
      expectRejected(setup, setup.architect, [':refs/heads/fw/keep'], 'only the architect may delete fw/keep', { config: ['push.gpgSign=false'] });
      expectAccepted(setup, setup.architect, [':refs/heads/fw/keep'], { 'refs/heads/fw/keep': null });
    });

    test('updating the branch is still the team\'s (only deletion is reserved)', () => {
      serverBranch(setup, fw, 'fw/moves', { 'fw/m.txt': '1\n' });
      fw.commit('more', { 'fw/m.txt': '2\n' });
      expectAccepted(setup, fw, ['HEAD:refs/heads/fw/moves'], { 'refs/heads/fw/moves': fw.head() });
      fw.git(['reset', '-q', '--hard', 'HEAD~1']);
      expectAccepted(setup, fw, ['+HEAD:refs/heads/fw/moves'], { 'refs/heads/fw/moves': fw.head() }); // ref mode: a rewind is the team's
    });
  });

  describe('extra-branches', () => {
    test('a branch in a listed namespace is pushed, and its content is not scope-checked', () => {
      const tip = serverBranch(setup, fw, 'scratch/mixed', { 'fw/s.txt': 'fw\n', 'pm/s.md': 'pm\n', 'qa/s.txt': 'qa\n' });
      expect(serverRef(setup, 'refs/heads/scratch/mixed')).toBe(tip);
      serverBranch(setup, pm, 'exp-1', { 'fw/e.txt': 'e\n' });
    });

    test('anyone deletes an extra branch (delete-branch governs team branches only)', () => {
      serverBranch(setup, fw, 'scratch/drop', { 'fw/d.txt': 'd\n' });
      pm.git(['fetch', '-q', 'origin']);
      expectAccepted(setup, pm, [':refs/heads/scratch/drop'], { 'refs/heads/scratch/drop': null });
    });

    test('a name the patterns do not select is refused: experiment/x, exp/x (glob * stops at /), scratchpad', () => {
      fw.freshBranch('outside', 'origin/main');
      fw.commit('fw work', { 'fw/o.txt': 'o\n' });
      for (const name of ['experiment/x', 'exp/x', 'scratchpad']) {
        expectRejected(setup, fw, [`HEAD:refs/heads/${name}`], `branch ${name} is outside every team namespace`);
      }
    });
  });
});
