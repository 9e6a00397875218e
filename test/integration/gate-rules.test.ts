/**
 * Gate rules that no other suite pinned down, found by `node scripts/mutate-rules.mjs` (each test here
 * fails when the rule it names is removed; docs/mutation.md has the table). Real pushes into real bare
 * repositories; every rejection leaves the server unchanged.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { ROOT_CLAUDE, STANDARD_POLICY, teamClaude } from '../../fixtures/policies';
import { tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, makeSetup, push, writeServerHooks, type Setup } from '../../fixtures/server';
import { createTags } from '../../fixtures/tags';
import { FRAGMENT, expectAccepted, expectRejected, fetched, policyWith } from '../../fixtures/redteam';

let fwKey: SshKey;

beforeAll(async () => {
  fwKey = await makeSshKey(tempDir('coord-hooks-rules-keys-'), 'fw');
});

function signingClone(setup: Setup, name: string, key: SshKey, extraEnv: NodeJS.ProcessEnv = {}): Repo {
  const repo = setup.clone(name, extraEnv);
  configureSigning(repo, key);
  return repo;
}

describe('ref mode', () => {
  let setup: Setup;
  let architect: Repo;
  let fw: Repo;
  let fwSigned: Repo;
  let pm: Repo;

  beforeAll(async () => {
    setup = await makeSetup({ policy: policyWith(['extra-branches: ["scratch/"]', 'extra-refs: ["refs/notes/"]']), signers: [signersLine('fw', fwKey)] });
    architect = setup.architect;
    const announced = await runCommand(['announce', '--team', 'fw', '--round', '1', '--message', 'Round 1.'], { cwd: architect.dir, env: architect.env });
    if (announced.code !== 0) throw new Error(announced.stderr);
    fw = setup.clone('fw');
    fwSigned = signingClone(setup, 'fw-signed', fwKey);
    pm = setup.clone('pm');
  });

  describe('the protected branch', () => {
    test('the architect rewinding main (force push, certificate): non-fast-forward', () => {
      architect.freshBranch('rewind');
      architect.commit('architect work', { 'docs/a.txt': 'a\n' });
      expectAccepted(setup, architect, ['HEAD:refs/heads/main'], { 'refs/heads/main': architect.head() });
      expectRejected(setup, architect, ['+HEAD~1:refs/heads/main'], 'non-fast-forward update of the protected branch main');
    });

    test('the architect deleting main (certificate): protected branches stay', () => {
      expectRejected(setup, architect, [':refs/heads/main'], 'the protected branch main cannot be deleted');
    });
  });

  describe('refs', () => {
    test('a branch outside the extra-branches namespaces (extra-branches: ["scratch/"])', () => {
      fw.freshBranch('fw/ns');
      fw.commit('fw work', { 'fw/ns.txt': 'x\n' });
      expectRejected(setup, fw, ['HEAD:refs/heads/feature/x'], 'outside every team namespace');
      expectAccepted(setup, fw, ['HEAD:refs/heads/scratch/x'], { 'refs/heads/scratch/x': fw.head() });
    });

    test('a ref outside the extra-refs namespaces (extra-refs: ["refs/notes/"])', () => {
      fw.freshBranch('fw/refs');
      fw.commit('fw work', { 'fw/refs.txt': 'x\n' });
      expectRejected(setup, fw, ['HEAD:refs/custom/x'], FRAGMENT.extraRefs);
      expectAccepted(setup, fw, ['HEAD:refs/notes/x'], { 'refs/notes/x': fw.head() });
    });
  });

  describe('other tags (other-tags: architect)', () => {
    test('a tag object named like its ref but signed by fw\'s key, pushed without a certificate', async () => {
      const target = fetched(fw, 'origin/main');
      await createTags(fw, [{ name: 'rel-fw', target, key: fwKey }, { name: 'rel-unsigned', target, key: null }]);
      expectRejected(setup, fw, ['refs/tags/rel-fw'], FRAGMENT.tagNeedsArchitect);
      expectRejected(setup, fw, ['refs/tags/rel-unsigned'], FRAGMENT.tagNeedsArchitect);
    });
  });

  describe('which commits a team answers for', () => {
    test('another team\'s commit on its branch, pushed to fw with a pm update in the same push', () => {
      pm.freshBranch('pm/plan');
      pm.commit('pm work', { 'pm/plan.md': 'pm\n' });
      expect(push(pm, ['HEAD:refs/heads/pm/work']).code).toBe(0);
      // The push touches pm's branches too, so pm's refs are listed: they must not count as fw's.
      fw.freshBranch('pm-side');
      fw.commit('in pm scope', { 'pm/other.md': 'pm\n' });
      expectRejected(setup, fw, ['origin/pm/work:refs/heads/fw/steal', 'HEAD:refs/heads/pm/other'], '(pm work): pm/plan.md');
    });

    test('commits already on the team\'s branches are not judged again: a branch from fw/round-1 (the architect\'s announcement)', () => {
      fw.freshBranch('fw/from-round', 'origin/fw/round-1');
      fw.commit('fw work', { 'fw/after-announcement.txt': 'x\n' });
      expectAccepted(setup, fw, ['HEAD:refs/heads/fw/from-round'], { 'refs/heads/fw/from-round': fw.head() });
    });

    test('one commit pushed to two teams\' branches is judged for each team', () => {
      fw.freshBranch('fw/twice');
      fw.commit('fw content', { 'fw/twice.txt': 'fw\n' });
      expectRejected(setup, fw, ['HEAD:refs/heads/fw/twice-a', 'HEAD:refs/heads/pm/twice-a'], "outside team pm's write scope");
      fw.freshBranch('fw/twice-pm');
      fw.commit('pm content', { 'pm/twice.txt': 'pm\n' });
      expectRejected(setup, fw, ['HEAD:refs/heads/fw/twice-b', 'HEAD:refs/heads/pm/twice-b'], "outside team fw's write scope");
    });
  });

  describe('proof of the architect', () => {
    test('fw\'s own push certificate does not make fw\'s ANNOUNCEMENT.md edit the architect\'s', () => {
      fwSigned.freshBranch('fw/announce', 'origin/fw/round-1');
      fwSigned.commit('forged announcement', { 'rounds/1/fw/ANNOUNCEMENT.md': 'Round 1: you may write pm/.\n' });
      expectRejected(setup, fwSigned, ['HEAD:refs/heads/fw/round-1'], FRAGMENT.announcement);
    });

    test('a certificate no rule needed is recorded as used all the same (it cannot be replayed later)', () => {
      const ledger = join(setup.server.dir, 'coord-hooks', 'push-nonces');
      const lines = () => (existsSync(ledger) ? readFileSync(ledger, 'utf8').split('\n').filter(Boolean).length : 0);
      const before = lines();
      fwSigned.freshBranch('fw/settle');
      fwSigned.commit('fw work', { 'fw/settle.txt': 'x\n' });
      expectAccepted(setup, fwSigned, ['HEAD:refs/heads/fw/settle'], { 'refs/heads/fw/settle': fwSigned.head() });
      expect(lines()).toBe(before + 1);
    });
  });

  describe('symlinks', () => {
    test('a new link that makes a link already there lead outside: fw/l -> sub/up/../x.txt, then fw/sub/up -> ..', () => {
      fw.freshBranch('fw/links');
      fw.symlink('fw/l', 'sub/up/../x.txt');
      fw.commit('link inside fw', { 'fw/sub/up/keep.txt': 'k\n', 'fw/sub/x.txt': 'x\n' });
      expectAccepted(setup, fw, ['HEAD:refs/heads/fw/links'], { 'refs/heads/fw/links': fw.head() });
      fw.remove('fw/sub/up');
      fw.symlink('fw/sub/up', '..');
      fw.commit('up is fw now');
      expectRejected(setup, fw, ['HEAD:refs/heads/fw/links'], 'once fw/sub/up is a link');
    });
  });
});

test('delete-branch: architect: a team cannot delete its own branch; the architect can', async () => {
  const setup = await makeSetup({ policy: policyWith(['delete-branch: architect']) });
  const fw = setup.clone('fw');
  fw.git(['checkout', '-q', '-b', 'fw/x']);
  fw.commit('fw work', { 'fw/x.txt': 'x\n' });
  expect(push(fw, ['fw/x']).code).toBe(0);
  expectRejected(setup, fw, [':refs/heads/fw/x'], 'only the architect may delete fw/x');
  expectAccepted(setup, setup.architect, [':refs/heads/fw/x'], { 'refs/heads/fw/x': null });
});

test('a tag named like a protected branch that does not exist yet (protected: [main, release]), even the architect\'s', async () => {
  const policy = policyWith([]);
  policy['CLAUDE.md'] = policy['CLAUDE.md'].replace('protected: [main]', 'protected: [main, release]');
  const setup = await makeSetup({ policy });
  const target = fetched(setup.architect, 'origin/main');
  await createTags(setup.architect, [{ name: 'release', target, key: setup.architectKey }]);
  expectRejected(setup, setup.architect, ['refs/tags/release'], 'a tag named like the protected branch release');
});

test('a tag `main` left on the server from before the ambiguity rule: main still moves, the tag itself cannot', async () => {
  const setup = await makeSetup({ policy: policyWith(['other-tags: anyone']) });
  const { architect, server } = setup;
  server.git(['update-ref', 'refs/tags/main', server.rev('refs/heads/main')]); // an administrator's, or a legacy one
  architect.git(['pull', '-q', 'origin', 'main']);
  architect.commit('architect work', { 'shared/config.txt': 'v2\n' });
  expectAccepted(setup, architect, ['HEAD:refs/heads/main'], { 'refs/heads/main': architect.head() });
  const fw = setup.clone('fw');
  fw.commit('fw work', { 'fw/x.txt': 'x\n' });
  expectRejected(setup, fw, ['+HEAD:refs/tags/main'], FRAGMENT.ambiguousName);
});

// No valid coord.extra-refs can name refs/replace/ (policy/rules.ts refuses it, and exclude-only lists);
// the gate's own replace-ref rule is the second layer, and its message says so.
test('refs/replace/ stays refused, with its own reason, when coord.extra-refs allows another namespace', async () => {
  const setup = await makeSetup({ policy: policyWith(['extra-refs: ["refs/custom/"]']) });
  const fw = setup.clone('fw');
  fw.commit('fw work', { 'fw/x.txt': 'x\n' });
  expectAccepted(setup, fw, ['HEAD:refs/custom/x'], { 'refs/custom/x': fw.head() });
  const mainTip = fetched(fw, 'origin/main');
  expectRejected(setup, fw, [`HEAD:refs/replace/${mainTip}`], FRAGMENT.replaceRef);
});

test('the round exceptions never open a policy file: the signers file kept at rounds/1/fw/REPLY.md', async () => {
  const setup = await makeSetup({ policy: policyWith(['signers: rounds/1/fw/REPLY.md']), gate: false });
  const { architect } = setup;
  architect.commit('signers', { 'rounds/1/fw/REPLY.md': `${signersLine('architect', setup.architectKey)}\n` });
  architect.git(['push', '-q', 'origin', 'main']);
  writeServerHooks(setup.server.dir);
  const fw = setup.clone('fw');
  fw.git(['checkout', '-q', '-b', 'fw/round-1']);
  fw.commit('fw work', { 'fw/x.txt': 'x\n' });
  expectAccepted(setup, fw, ['fw/round-1'], { 'refs/heads/fw/round-1': fw.head() });
  fw.commit('make fw an architect', { 'rounds/1/fw/REPLY.md': `${signersLine('architect', setup.architectKey)}\n${signersLine('architect', fwKey)}\n` });
  expectRejected(setup, fw, ['fw/round-1'], FRAGMENT.policyFile);
});

describe('pusher mode', () => {
  const POLICY: Record<string, string> = {
    ...STANDARD_POLICY,
    'CLAUDE.md': ROOT_CLAUDE.replace('architects: [architect]', 'architects: [carol]\n  identity: pusher'),
    'fw/CLAUDE.md': teamClaude(['fw/', 'experiments/x/'], 'members: [alice]\n'),
    'pm/CLAUDE.md': teamClaude(['pm/'], 'members: [bob]\n'),
  };
  let setup: Setup;
  let alice: Repo;
  let bob: Repo;

  beforeAll(async () => {
    setup = await makeSetup({ policy: POLICY, architectEnv: { GL_USER: 'carol' }, signers: [signersLine('fw', fwKey)] });
    alice = setup.clone('alice', { GL_USER: 'alice' });
    bob = setup.clone('bob', { GL_USER: 'bob' });
  });

  test('a team member pushing round-2/start (annotated): only the architect starts a round', async () => {
    const target = fetched(alice, 'origin/main');
    await createTags(alice, [{ name: 'round-2/start', target, key: null, message: 'expect: fw\n' }]);
    expectRejected(setup, alice, ['refs/tags/round-2/start'], 'only the architect may start a round');
  });

  test('a pm member pushing fw\'s genuine done tag (signed by fw\'s key): only fw\'s members signal fw\'s rounds', async () => {
    alice.git(['checkout', '-q', '-b', 'fw/round-1', 'origin/main']);
    alice.commit('fw work', { 'fw/r1.txt': '1\n' });
    expect(push(alice, ['fw/round-1']).code).toBe(0);
    const target = fetched(bob, 'origin/fw/round-1');
    await createTags(bob, [{ name: 'round-1/done/fw', target, key: fwKey, message: 'round 1 done by fw\n' }]);
    expectRejected(setup, bob, ['refs/tags/round-1/done/fw'], 'bob is not a member of team fw');
  });
});
