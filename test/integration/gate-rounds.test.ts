/**
 * Round done-tags through the server gate: real SSH keys, real signed tags, real pushes.
 * And post-receive's round completion running the configured command exactly once.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { foreignEnv } from '../../git/run';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { ROOT_CLAUDE, STANDARD_POLICY } from '../../fixtures/policies';
import { tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, makeSetup, push, snapshot, type Setup } from '../../fixtures/server';

let setup: Setup;
let keys: Record<'fw' | 'pm' | 'qa' | 'expired', SshKey>;
let marker: string;
let fw: Repo;
let pm: Repo;

async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 50));
}

beforeAll(async () => {
  const dir = tempDir('coord-hooks-rounds-');
  marker = join(dir, 'completed.txt');
  keys = { fw: await makeSshKey(dir, 'fw'), pm: await makeSshKey(dir, 'pm'), qa: await makeSshKey(dir, 'qa'), expired: await makeSshKey(dir, 'old') };
  setup = await makeSetup({
    policy: {
      ...STANDARD_POLICY,
      'CLAUDE.md': ROOT_CLAUDE.replace('architects: [architect]', `architects: [architect]\n  on-round-complete: ["echo \\"$ROUND:$TEAMS\\" >> '${marker}'"]`),
    },
    signers: [signersLine('fw', keys.fw), signersLine('pm', keys.pm), signersLine('qa', keys.qa), signersLine('fw', keys.expired, 'valid-before="20200101"')],
  });
  fw = setup.clone('fw');
  configureSigning(fw, keys.fw);
  fw.git(['checkout', '-q', '-b', 'fw/round-1']);
  fw.commit('fw work', { 'fw/r1.txt': '1\n' });
  expect(push(fw, ['fw/round-1']).code).toBe(0);
  pm = setup.clone('pm');
  configureSigning(pm, keys.pm);
  pm.git(['checkout', '-q', '-b', 'pm/round-1']);
  pm.commit('pm work', { 'pm/r1.txt': '1\n' });
  expect(push(pm, ['pm/round-1']).code).toBe(0);
});

function expectRejected(repo: Repo, refspecs: string[], ...fragments: string[]): void {
  const before = snapshot(setup.server);
  const result = push(repo, refspecs);
  expect(result.code).not.toBe(0);
  for (const fragment of fragments) expect(result.output).toContain(fragment);
  expect(snapshot(setup.server)).toBe(before);
}

/** A tag object built by hand, signed in namespace `namespace` (git signs in "git"). */
async function handMadeTag(repo: Repo, name: string, target: string, key: SshKey, namespace: string): Promise<string> {
  const payload = `object ${target}\ntype commit\ntag ${name}\ntagger Test <t@example.invalid> 1700000000 +0000\n\nhand made\n`;
  const signed = await runProcess('ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', key.privatePath], { env: foreignEnv(), input: payload });
  expect(signed.code).toBe(0);
  return repo.git(['mktag'], payload + signed.stdout);
}

describe('rejected done-tags', () => {
  test('another team\'s key on the tag', () => {
    fw.git(['-c', `user.signingkey=${keys.pm.privatePath}`, 'tag', '-s', '-m', 'done', 'round-1/done/fw']);
    expectRejected(fw, ['refs/tags/round-1/done/fw'], 'round-1/done/fw: signature does not verify for fw');
    fw.git(['tag', '-d', 'round-1/done/fw']);
  });

  test('unsigned annotated', () => {
    fw.git(['tag', '--no-sign', '-a', '-m', 'done', 'round-1/done/fw']);
    expectRejected(fw, ['refs/tags/round-1/done/fw'], 'the tag is not signed');
    fw.git(['tag', '-d', 'round-1/done/fw']);
  });

  test('lightweight', () => {
    fw.git(['tag', '--no-sign', 'round-1/done/fw']);
    expectRejected(fw, ['refs/tags/round-1/done/fw'], 'a lightweight tag');
    fw.git(['tag', '-d', 'round-1/done/fw']);
  });

  test('wrong signing namespace', async () => {
    const oid = await handMadeTag(fw, 'round-1/done/fw', fw.head(), keys.fw, 'file');
    fw.git(['update-ref', 'refs/tags/round-1/done/fw', oid]);
    expectRejected(fw, ['refs/tags/round-1/done/fw'], 'signature does not verify for fw');
    fw.git(['tag', '-d', 'round-1/done/fw']);
  });

  test('the same tag made in namespace "git" by hand is accepted later (control for the namespace test)', async () => {
    const oid = await handMadeTag(fw, 'round-9/done/fw', fw.head(), keys.fw, 'git');
    fw.git(['update-ref', 'refs/tags/round-9/done/fw', oid]);
    const result = push(fw, ['refs/tags/round-9/done/fw']);
    expect(result.output).not.toContain('rejected');
    expect(result.code).toBe(0);
  });

  test('expired key (valid-before in the signers file)', () => {
    fw.git(['-c', `user.signingkey=${keys.expired.privatePath}`, 'tag', '-s', '-m', 'done', 'round-1/done/fw']);
    expectRejected(fw, ['refs/tags/round-1/done/fw'], 'signature does not verify for fw');
    fw.git(['tag', '-d', 'round-1/done/fw']);
  });

  test('tag header name differs from the ref name', () => {
    fw.git(['tag', '-s', '-m', 'done', 'round-2/done/fw']);
    expectRejected(fw, ['refs/tags/round-2/done/fw:refs/tags/round-1/done/fw'], 'the tag object is named "round-2/done/fw"');
    fw.git(['tag', '-d', 'round-2/done/fw']);
  });

  test('target not on the team\'s branches', () => {
    fw.git(['fetch', '-q', 'origin']);
    fw.git(['tag', '-s', '-m', 'done', 'round-1/done/fw', 'origin/pm/round-1']);
    expectRejected(fw, ['refs/tags/round-1/done/fw'], "which is on none of team fw's branches");
    fw.git(['tag', '-d', 'round-1/done/fw']);
  });

  test('a round that is not a positive integer, and an unknown team', () => {
    fw.git(['tag', '-s', '-m', 'done', 'round-0/done/fw']);
    expectRejected(fw, ['refs/tags/round-0/done/fw'], 'round "0" is not a positive integer');
    fw.git(['tag', '-d', 'round-0/done/fw']);
    fw.git(['tag', '-s', '-m', 'done', 'round-1/done/nope']);
    expectRejected(fw, ['refs/tags/round-1/done/nope'], 'no team "nope"');
    fw.git(['tag', '-d', 'round-1/done/nope']);
  });
});

describe('accepted, immutable, and completion', () => {
  test('the team\'s own signed tag, with the branch in the same push', () => {
    fw.commit('last fw change of round 1', { 'fw/r1b.txt': '2\n' });
    fw.git(['tag', '-s', '-m', 'round 1 done', 'round-1/done/fw']);
    const result = push(fw, ['fw/round-1', 'refs/tags/round-1/done/fw']);
    expect(result.output).not.toContain('rejected');
    expect(result.code).toBe(0);
    expect(setup.server.git(['rev-parse', 'round-1/done/fw^{commit}'])).toBe(fw.head());
    expect(existsSync(marker)).toBe(false);
  });

  test('moving or deleting a done tag is rejected', () => {
    fw.git(['tag', '-f', '-s', '-m', 'again', 'round-1/done/fw', 'HEAD~1']);
    expectRejected(fw, ['+refs/tags/round-1/done/fw'], 'done tags are immutable: round-1/done/fw cannot be moved');
    expectRejected(fw, [':refs/tags/round-1/done/fw'], 'cannot be deleted');
  });

  test('the last team\'s tag completes the round: the command runs exactly once', async () => {
    pm.git(['tag', '-s', '-m', 'done', 'round-1/done/pm']);
    expect(push(pm, ['refs/tags/round-1/done/pm']).code).toBe(0);
    expect(existsSync(marker)).toBe(false); // qa is still pending
    const qa = setup.clone('qa');
    configureSigning(qa, keys.qa);
    qa.git(['checkout', '-q', '-b', 'qa/round-1']);
    qa.commit('qa work', { 'qa/r1.txt': '1\n' });
    qa.git(['tag', '-s', '-m', 'done', 'round-1/done/qa']);
    const result = push(qa, ['qa/round-1', 'refs/tags/round-1/done/qa']);
    expect(result.code).toBe(0);
    expect(result.output).toContain('round 1 complete: fw, pm, qa');
    await waitFor(() => existsSync(marker));
    // Later pushes (another round's tag, a branch) must not run it again.
    qa.commit('more', { 'qa/r2.txt': '2\n' });
    expect(push(qa, ['qa/round-1']).code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(readFileSync(marker, 'utf8')).toBe('1:fw pm qa\n');
  });
});
