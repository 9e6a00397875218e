/** `tally`: done, pending and invalid done-tags from a real server, the --json shape, the verdict cache. */
import { existsSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { removeDir, tempDir, type Repo } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { createTags, doneTagSpec } from '../../fixtures/tags';
import { GitRepo } from '../../git/repo';
import { tallyRounds } from '../../rounds/tally';

let setup: Setup;
let keys: Record<string, SshKey>;
let keyDir: string;
let clone: Repo;
let work: string;

const cacheFile = () => join(clone.dir, '.git', 'coord-hooks', 'verify-cache.json');

async function tally(args: string[]) {
  const result = await runCommand(['tally', ...args], { cwd: clone.dir, env: setup.env });
  return { ...result, json: args.includes('--json') && result.code === 0 ? JSON.parse(result.stdout) : undefined };
}

async function tallyApi(remote?: string) {
  const repo = new GitRepo(clone.dir, setup.env);
  try {
    return await tallyRounds(repo, { remote, env: setup.env });
  } finally {
    repo.close();
  }
}

beforeAll(async () => {
  keyDir = tempDir('coord-hooks-tally-keys-');
  keys = { fw: await makeSshKey(keyDir, 'fw'), pm: await makeSshKey(keyDir, 'pm'), qa: await makeSshKey(keyDir, 'qa') };
  setup = await makeSetup({ gate: false, signers: ['fw', 'pm', 'qa'].map((team) => signersLine(team, keys[team])) });
  const fw = setup.clone('fw');
  fw.git(['checkout', '-q', '-b', 'fw/round-1']);
  work = fw.commit('fw work', { 'fw/a.txt': 'a\n' });
  fw.git(['push', '-q', 'origin', 'fw/round-1']);
  const server = setup.server;
  await createTags(server, [
    doneTagSpec(1, 'fw', work, keys.fw, { time: 1790000000 }),
    doneTagSpec(1, 'pm', work, keys.qa), // signed, but with qa's key
    doneTagSpec(2, 'fw', work, null), // unsigned annotated tag
    doneTagSpec(2, 'pm', work, keys.pm, { lightweight: true }),
    doneTagSpec(2, 'qa', work, keys.qa, { header: 'round-2/done/fw' }), // header does not match the ref
    doneTagSpec(3, 'fw', work, keys.fw),
    doneTagSpec(3, 'pm', work, keys.pm),
    { name: 'round-3/start', target: work, key: setup.architectKey, message: 'round 3: only the framework\n\nexpect: fw\n' },
  ]);
  clone = setup.clone('observer');
});

afterAll(() => {
  removeDir(setup.root);
  removeDir(keyDir);
});

test('--json lists done, pending and invalid teams per round', async () => {
  const { code, json, stderr } = await tally(['--remote', 'origin', '--json']);
  expect(stderr).toBe('');
  expect(code).toBe(0);
  expect(json.rounds.map((round: { round: number }) => round.round)).toEqual([1, 2, 3]);
  const [one, two, three] = json.rounds;
  expect(one.expected).toEqual(['fw', 'pm', 'qa']);
  expect(one.complete).toBe(false);
  expect(one.teams.fw).toEqual({
    state: 'done', signer: expect.stringMatching(/^fw \(Good "git" signature for fw with ED25519 key SHA256:/),
    time: '2026-09-21T14:13:20Z', target: work, tag: clone.rev('refs/tags/round-1/done/fw'),
  });
  expect(one.teams.pm).toMatchObject({ state: 'invalid', detail: expect.stringMatching(/does not verify for pm/), target: work });
  expect(one.teams.qa).toEqual({ state: 'pending' });
  expect(two.teams.fw).toMatchObject({ state: 'invalid', detail: expect.stringMatching(/not signed/) });
  expect(two.teams.pm).toMatchObject({ state: 'invalid', detail: expect.stringMatching(/lightweight/) });
  expect(two.teams.qa).toMatchObject({ state: 'invalid', detail: expect.stringMatching(/named "round-2\/done\/fw"/) });
  expect(three).toMatchObject({ round: 3, complete: true, expected: ['fw'], teams: { fw: { state: 'done' } }, extra: { pm: { state: 'done' } } });
});

test('the table names each state, and --round limits it (an empty round is all pending)', async () => {
  const all = await tally([]);
  expect(all.code).toBe(0);
  expect(all.stdout).toMatch(/round 1: 1\/3 done; waiting for pm, qa/);
  expect(all.stdout).toMatch(/^ {2}pm {4}invalid {2}signature does not verify for pm/m);
  expect(all.stdout).toMatch(/round 3: complete \(1\/1\)/);
  expect(all.stdout).toMatch(/pm .*\[not expected this round\]/);
  const seven = await tally(['--round', '7', '--json']);
  expect(seven.json.rounds).toEqual([{ round: 7, complete: false, expected: ['fw', 'pm', 'qa'], teams: { fw: { state: 'pending' }, pm: { state: 'pending' }, qa: { state: 'pending' } }, extra: {} }]);
  expect((await tally(['--round', '0'])).code).toBe(2);
  const unreachable = await tally(['--remote', '/nonexistent/server.git']);
  expect(unreachable.code).toBe(2);
  expect(unreachable.stderr).toMatch(/cannot fetch the round tags and main from \/nonexistent\/server.git/);
  expect((await tally(['--round', 'x'])).code).toBe(2);
});

test('a warm tally reads no tag objects; a corrupt cache is rebuilt', async () => {
  await tallyApi();
  const warm = await tallyApi();
  expect(warm.stats).toEqual({ cached: 7, verified: 0 });
  const cache = JSON.parse(readFileSync(cacheFile(), 'utf8'));
  expect(cache.version).toBe(2);
  expect(Object.values(cache.sets as Record<string, object>).flatMap((rows) => Object.keys(rows))).toHaveLength(7);
  // A row of the wrong shape is no verdict: that one tag is verified again.
  const [set] = Object.values(cache.sets as Record<string, Record<string, unknown[]>>);
  const [first] = Object.keys(set);
  set[first] = [1, 0, 'x', 999];
  writeFileSync(cacheFile(), JSON.stringify(cache));
  expect((await tallyApi()).stats).toEqual({ cached: 6, verified: 1 });
  expect((await tallyApi()).stats).toEqual({ cached: 7, verified: 0 });
  writeFileSync(cacheFile(), '{ not json');
  expect((await tallyApi()).stats).toEqual({ cached: 0, verified: 7 });
  expect((await tallyApi()).stats).toEqual({ cached: 7, verified: 0 });
  expect(existsSync(`${cacheFile()}.tmp`)).toBe(false);
});

test('a key change on the protected branch invalidates cached verdicts', async () => {
  const architect = setup.architect;
  architect.git(['pull', '-q', 'origin', 'main']);
  const signers = readFileSync(join(architect.dir, '.coord/allowed_signers'), 'utf8');
  architect.commit('pm may also sign with the qa key', { '.coord/allowed_signers': `${signers}${signersLine('pm', keys.qa)}\n` });
  architect.git(['push', '-q', 'origin', 'main']);
  const after = await tallyApi('origin');
  expect(after.stats).toEqual({ cached: 0, verified: 7 });
  expect(after.rounds[0].teams.pm.state).toBe('done');
});

test('a valid tag object under another ref name does not count there (the verdict cache knows the name)', async () => {
  const fwTag = clone.rev('refs/tags/round-1/done/fw');
  clone.git(['update-ref', 'refs/tags/round-9/done/fw', fwTag]);
  const round9 = (await tallyApi()).rounds.find((round) => round.round === 9)!;
  expect(round9.teams.fw).toMatchObject({ state: 'invalid', detail: expect.stringMatching(/named "round-1\/done\/fw", not "round-9\/done\/fw"/) });
  expect((await tallyApi()).rounds.find((round) => round.round === 1)!.teams.fw.state).toBe('done');
});

test('many tags from the fast fixture tally correctly', async () => {
  const many = setup.clone('many');
  const specs = [];
  for (let round = 10; round < 20; round++) {
    for (const team of ['fw', 'pm', 'qa']) specs.push(doneTagSpec(round, team, work, keys[team]));
  }
  await createTags(many, specs, { pack: true });
  const repo = new GitRepo(many.dir, setup.env);
  try {
    const result = await tallyRounds(repo, { env: setup.env });
    expect(result.stats.verified).toBe(37); // the 7 tags of the clone's origin, and 30 new ones
    expect(result.rounds.filter((round) => round.round >= 10).every((round) => round.complete)).toBe(true);
    expect((await tallyRounds(repo, { env: setup.env })).stats).toEqual({ cached: 37, verified: 0 });
  } finally {
    repo.close();
  }
});
