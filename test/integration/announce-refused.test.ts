/**
 * `announce` by someone the server will not take it from: the advice fits (only an architect may
 * announce; ask the architect, or configure the architect's key) and a rejected announcement leaves no
 * local `round-N/start` tag behind, so a later `git fetch --tags` does not refuse to clobber it.
 * Real server with the gate, real keys, real pushes.
 */
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, makeSetup, snapshot, type Setup } from '../../fixtures/server';

let setup: Setup;
let fwKey: SshKey;
let expiredKey: SshKey;
const run = (repo: Repo, ...argv: string[]) => runCommand(argv, { cwd: repo.dir, env: repo.env });
const localTags = (repo: Repo) => repo.git(['tag', '-l', 'round-*']).split('\n').filter(Boolean);

beforeAll(async () => {
  const keys = tempDir('coord-hooks-announce-keys-');
  fwKey = await makeSshKey(keys, 'fw');
  expiredKey = await makeSshKey(keys, 'old-architect');
  setup = await makeSetup({
    signers: [signersLine('fw', fwKey), signersLine('architect', expiredKey, 'valid-before="20200101"')],
  });
});

test('a team clone that announces is told only an architect may, and what to do; nothing is signed, tagged or pushed', async () => {
  const fw = setup.clone('fw-announcer');
  configureSigning(fw, fwKey);
  const before = snapshot(setup.server);
  const result = await run(fw, 'announce', '--team', 'fw', '--round', '1', '-m', 'Round 1, by fw itself.');
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('lists it for fw, not for an architect');
  expect(result.stderr).toMatch(/hint: only an architect \(architect\) may announce\. If you are not the architect, ask them to announce/);
  // Not the old advice: a team cannot list keys for the architect.
  expect(result.stderr).not.toMatch(/list its public key for "architect"/);
  expect(localTags(fw)).toEqual([]);
  expect(snapshot(setup.server)).toBe(before);

  const unsigned = setup.clone('fw-unsigned');
  const noKey = await run(unsigned, 'announce', '--team', 'fw', '--round', '1', '-m', 'Round 1.');
  expect(noKey.code).toBe(2);
  expect(noKey.stderr).toContain('none is configured in this clone');
  expect(noKey.stderr).toContain('If you are not the architect, ask them to announce');
  expect(localTags(unsigned)).toEqual([]);
});

test('an announcement the server rejects leaves no local round-N/start tag; a later fetch --tags works', async () => {
  // Listed for "architect" but expired: it passes every check a clone can make, the gate refuses it.
  const stale = setup.clone('stale-architect');
  configureSigning(stale, expiredKey);
  const before = snapshot(setup.server);
  const rejected = await run(stale, 'announce', '--team', 'fw', '--round', '2', '-m', 'Round 2.');
  expect(rejected.code).toBe(1);
  expect(rejected.stderr).toContain('the push of the announcement was rejected');
  expect(rejected.stderr).toContain('the local tag round-2/start was deleted');
  expect(localTags(stale)).toEqual([]);
  expect(snapshot(setup.server)).toBe(before);

  // The real architect announces the same round; the stale clone fetches its tag without a clash.
  const announced = await run(setup.architect, 'announce', '--team', 'fw', '--round', '2', '-m', 'Round 2.');
  expect(announced.code).toBe(0);
  const fetched = stale.tryGit(['fetch', '--tags', 'origin']);
  expect(fetched.stderr).not.toContain('would clobber');
  expect(fetched.code).toBe(0);
  expect(stale.git(['rev-parse', 'refs/tags/round-2/start'])).toBe(setup.server.git(['rev-parse', 'refs/tags/round-2/start']));
});

test('a rejected announcement puts back a local start tag that was there before', async () => {
  const stale = setup.clone('stale-with-tag');
  configureSigning(stale, expiredKey);
  stale.git(['fetch', '-q', '--tags', 'origin']);
  // round 2's start tag is on the server already (previous test); round 3's is not. A leftover local one:
  stale.git(['-c', 'tag.gpgSign=false', 'tag', 'round-3/start', 'HEAD']);
  const leftover = stale.git(['rev-parse', 'refs/tags/round-3/start']);
  const rejected = await run(stale, 'announce', '--team', 'fw', '--round', '3', '-m', 'Round 3.');
  expect(rejected.code).toBe(1);
  expect(rejected.stderr).toContain('the local tag round-3/start was put back as it was');
  expect(stale.git(['rev-parse', 'refs/tags/round-3/start'])).toBe(leftover);
});
