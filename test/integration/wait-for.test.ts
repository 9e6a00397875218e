/** `wait-for`: the barrier against a real server, with tags landing while it waits and an outage. */
import { renameSync } from 'fs';
import { Readable } from 'stream';
import { runCli } from '../../cli/run';
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { createTags, doneTagSpec } from '../../fixtures/tags';

let setup: Setup;
let keys: Record<string, SshKey>;
let keyDir: string;
let observer: Repo;
let work: string;

const waitFor = (args: string[]) => runCommand(['wait-for', ...args], { cwd: observer.dir, env: setup.env });
const later = (ms: number, action: () => Promise<unknown> | void) => new Promise<void>((resolve, reject) => {
  setTimeout(() => { Promise.resolve().then(action).then(() => resolve(), reject); }, ms);
});
const tag = (round: number, team: string, key: SshKey | null = keys[team], extra = {}) => createTags(setup.server, [doneTagSpec(round, team, work, key, extra)]);

beforeAll(async () => {
  keyDir = tempDir('coord-hooks-wait-keys-');
  keys = { fw: await makeSshKey(keyDir, 'fw'), pm: await makeSshKey(keyDir, 'pm') };
  setup = await makeSetup({ gate: false, signers: [signersLine('fw', keys.fw), signersLine('pm', keys.pm)] });
  const fw = setup.clone('fw');
  fw.git(['checkout', '-q', '-b', 'fw/round-1']);
  work = fw.commit('fw work', { 'fw/a.txt': 'a\n' });
  fw.git(['push', '-q', 'origin', 'fw/round-1']);
  observer = setup.clone('observer');
});

afterAll(() => {
  removeDir(setup.root);
  removeDir(keyDir);
});

test('returns 0 as soon as the last team\'s tag lands', async () => {
  await tag(1, 'fw');
  const started = Date.now();
  const [result] = await Promise.all([waitFor(['--round', '1', 'fw', 'pm', '--interval', '0.2', '--timeout', '30']), later(1000, () => tag(1, 'pm'))]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(Date.now() - started).toBeLessThan(5000);
  expect(result.stdout).toMatch(/^waiting for round 1: fw, pm \(polling origin every 0.2s\)$/m);
  expect(result.stdout).toMatch(/^fw done \(fw \(Good "git" signature for fw/m);
  expect(result.stdout).toMatch(/^pm done \(pm \(Good "git" signature for pm/m);
  expect(result.stdout).toMatch(/^round 1: all done \(fw, pm\)/m);
  expect(observer.rev('refs/tags/round-1/done/pm')).toBe(setup.server.rev('refs/tags/round-1/done/pm'));
});

test('exits 1 on timeout, naming who is still pending', async () => {
  await tag(2, 'fw');
  const result = await waitFor(['--round', '2', 'fw', 'pm', '--interval', '0.2', '--timeout', '1']);
  expect(result.code).toBe(1);
  expect(result.stdout).toMatch(/timed out after 1s waiting for round 2; still pending: pm/);
});

test('an invalid tag is reported once and the team stays pending', async () => {
  await tag(3, 'pm', keys.fw);
  const result = await waitFor(['--round', '3', 'pm', '--interval', '0.2', '--timeout', '2.5']);
  expect(result.code).toBe(1);
  expect(result.stdout.match(/does not count/g)).toHaveLength(1);
  expect(result.stdout).toMatch(/pm: round-3\/done\/pm does not count: signature does not verify for pm.*; pm stays pending/);
  expect(result.stdout).toMatch(/still pending: pm/);
});

test('survives a remote that is unreachable for a while', async () => {
  const away = `${setup.server.dir}.away`;
  const [result] = await Promise.all([
    waitFor(['--round', '4', 'fw', 'pm', '--interval', '0.2', '--timeout', '30']),
    later(400, () => renameSync(setup.server.dir, away)),
    later(2500, async () => {
      renameSync(away, setup.server.dir);
      await tag(4, 'fw');
      await tag(4, 'pm');
    }),
  ]);
  expect(result.code).toBe(0);
  expect(result.stdout.match(/remote unreachable \(/g)).toHaveLength(1);
  expect(result.stdout).toMatch(/remote unreachable \(.*\), retrying in 0.2s/);
  expect(result.stdout).toMatch(/remote origin reachable again/);
  expect(result.stdout).toMatch(/round 4: all done/);
});

test('without TEAM arguments it waits for the round\'s expected teams', async () => {
  await createTags(setup.server, [{ name: 'round-5/start', target: work, key: setup.architectKey, message: 'expect: fw\n' }]);
  await tag(5, 'fw');
  const result = await waitFor(['--round', '5', '--interval', '0.2', '--timeout', '10']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/waiting for round 5: fw \(/);
});

test('on a terminal one status line is rewritten in place', async () => {
  let out = '';
  const [code] = await Promise.all([
    runCli(['wait-for', '--round', '6', 'fw', 'pm', '--interval', '0.2', '--timeout', '30'], {
      cwd: observer.dir, env: setup.env, stdin: Readable.from([]), out: (text) => { out += text; }, err: (text) => { out += text; }, isTTY: true,
    }),
    later(1500, async () => { await tag(6, 'fw'); await tag(6, 'pm'); }),
  ]);
  expect(code).toBe(0);
  expect(out).toMatch(new RegExp(`\r${String.fromCharCode(27)}\\[Kround 6 · done: - · pending: fw pm · \\ds`));
  expect(out).toMatch(/round 6: all done/);
});

test('usage errors exit 2', async () => {
  expect((await waitFor(['fw'])).code).toBe(2);
  expect((await waitFor(['--round', '-1', 'fw'])).code).toBe(2);
  expect((await waitFor(['--round', '1', 'fw', '--interval', '0'])).code).toBe(2);
  const unknownTeam = await waitFor(['--round', '1', 'nobody', '--timeout', '5']);
  expect(unknownTeam.code).toBe(2);
  expect(unknownTeam.stderr).toMatch(/no team "nobody" in the policy/);
  const unknownRemote = await waitFor(['--round', '1', 'fw', '--remote', 'upstream', '--timeout', '5']);
  expect(unknownRemote.code).toBe(2);
  expect(unknownRemote.stderr).toMatch(/no remote "upstream"/);
});
