/**
 * Task injection over git, end to end through a real bare repository with the gate: announce → watch
 * --once → reply → the architect sees the reply → signal done; the round branch's log tells the story.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { runCommand } from '../../fixtures/cli';
import { makeSshKey, signersLine, type SshKey } from '../../fixtures/keys';
import { tempDir, type Repo } from '../../fixtures/repo';
import { configureSigning, makeSetup, push, snapshot, type Setup } from '../../fixtures/server';

let setup: Setup;
let fwKey: SshKey;
let fw: Repo;
let pm: Repo;
const run = (repo: Repo, ...argv: string[]) => runCommand(argv, { cwd: repo.dir, env: repo.env });

beforeAll(async () => {
  const keys = tempDir('coord-hooks-task-keys-');
  fwKey = await makeSshKey(keys, 'fw');
  setup = await makeSetup({ signers: [signersLine('fw', fwKey)] });
  fw = setup.clone('fw');
  fw.git(['config', 'coord-hooks.team', 'fw']);
  configureSigning(fw, fwKey);
  pm = setup.clone('pm');
  pm.git(['config', 'coord-hooks.team', 'pm']);
});

test('announce → watch → reply → watch --replies → signal-done, and the log tells the story', async () => {
  const announced = await run(setup.architect, 'announce', '--team', 'fw,pm', '--round', '1', '--message', 'Round 1: make the engine 2x faster.', '--expect', 'fw');
  expect(announced.stderr).toBe('');
  expect(announced.code).toBe(0);
  expect(announced.stdout).toContain('announced: fw/round-1');
  expect(announced.stdout).toContain('announced: pm/round-1');
  expect(setup.server.git(['cat-file', '-p', 'refs/tags/round-1/start'])).toContain('expect: fw');

  const marker = join(setup.root, 'exec-count');
  const watched = await run(fw, 'watch', '--once', '--interval', '0.2', '--exec', `echo "$ROUND $BRANCH $(cat "$ANNOUNCEMENT")" >> '${marker}'`);
  expect(watched.code).toBe(0);
  expect(watched.stdout).toContain('== announcement for fw, round 1 (fw/round-1');
  expect(watched.stdout).toContain('Round 1: make the engine 2x faster.');
  expect(readFileSync(marker, 'utf8')).toBe('1 fw/round-1 Round 1: make the engine 2x faster.\n');

  // A restart of the watcher shows the current announcement but never runs --exec twice for it.
  const again = await run(fw, 'watch', '--once', '--interval', '0.2', '--exec', `echo again >> '${marker}'`);
  expect(again.code).toBe(0);
  expect(again.stdout).toContain('[seen before]');
  expect(readFileSync(marker, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);

  fw.git(['fetch', '-q', 'origin']);
  fw.git(['switch', '-q', '-c', 'fw/round-1', '--track', 'origin/fw/round-1']);
  fw.commit('engine: cache the hot path', { 'fw/engine.txt': 'fast\n' });
  const replied = await run(fw, 'reply', '--message', 'Done: 2.3x on the benchmark.');
  expect(replied.stderr).toBe('');
  expect(replied.stdout).toContain('replied: rounds/1/fw/REPLY.md');

  const replies = await run(setup.architect, 'watch', '--replies', '--once', '--interval', '0.2');
  expect(replies.stdout).toContain('== reply for fw, round 1');
  expect(replies.stdout).toContain('Done: 2.3x on the benchmark.');

  const done = await run(fw, 'signal-done', '--round', '1');
  expect(done.stderr).toBe('');
  expect(done.code).toBe(0);
  expect(setup.server.git(['rev-parse', 'round-1/done/fw^{commit}'])).toBe(fw.head());

  const status = await run(setup.architect, 'status', '--json');
  expect(status.stderr).toBe('');
  const report = JSON.parse(status.stdout);
  const round = report.rounds.find((entry: { round: number }) => entry.round === 1);
  expect(round.complete).toBe(true);
  expect(round.expected).toEqual(['fw']);
  expect(round.teams.fw).toMatchObject({ done: 'done' });
  expect(round.teams.fw.announced.commit).toBeTruthy();
  expect(round.teams.fw.replied.commit).toBeTruthy();
  expect(round.teams.pm).toMatchObject({ done: 'pending' });
  expect(round.teams.pm.replied).toBeUndefined();
  const human = await run(setup.architect, 'status', '--no-fetch');
  expect(human.stdout).toMatch(/round 1: COMPLETE \(waits for fw\)/);
  expect(human.stdout).toMatch(/fw +announced .* · replied .* · done .* by fw/);
  const onServer = await runCommand(['status'], { cwd: setup.server.dir, env: setup.env });
  expect(onServer.stdout).toContain('rejected pushes');

  const log = setup.server.git(['log', '--format=%s', 'fw/round-1', '^main']).split('\n');
  expect(log).toEqual(['reply: round 1 (fw)', 'engine: cache the hot path', 'announce round 1 to fw']);
});

test('the gate: an unsigned "architect" write on a team branch, a team writing ANNOUNCEMENT.md, and writes outside the scope on a round branch', async () => {
  pm.git(['fetch', '-q', 'origin']);
  pm.git(['switch', '-q', '-c', 'pm/round-1', '--track', 'origin/pm/round-1']);
  const before = snapshot(setup.server);

  pm.commit('rewrite the announcement', { 'rounds/1/pm/ANNOUNCEMENT.md': 'we decide now\n' });
  let result = push(pm, ['pm/round-1']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('not signed by an architect key');
  pm.git(['reset', '-q', '--hard', 'origin/pm/round-1']);

  pm.commit('reply for fw', { 'rounds/1/fw/REPLY.md': 'fw says yes\n' });
  result = push(pm, ['pm/round-1']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('rounds/1/fw/REPLY.md');
  pm.git(['reset', '-q', '--hard', 'origin/pm/round-1']);

  pm.commit('outside scope', { 'fw/x.txt': 'x\n', 'rounds/1/pm/REPLY.md': 'ok\n' });
  result = push(pm, ['pm/round-1']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('fw/x.txt');
  expect(result.output).not.toContain('rounds/1/pm/REPLY.md');
  pm.git(['reset', '-q', '--hard', 'origin/pm/round-1']);

  // The architect's unsigned commit on a team branch, pushed without the architect's push certificate,
  // proves nothing: it is judged as the team's.
  const architect = setup.architect;
  architect.git(['fetch', '-q', 'origin']);
  architect.git(['switch', '-q', '-c', 'pm-round', 'origin/pm/round-1']);
  architect.git(['-c', 'commit.gpgsign=false', 'commit', '-q', '--allow-empty', '-m', 'noop']);
  architect.write('rounds/1/pm/ANNOUNCEMENT.md', 'changed, unsigned\n');
  architect.git(['add', '-A']);
  architect.git(['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'unsigned announcement edit']);
  result = push(architect, ['--no-signed', 'HEAD:refs/heads/pm/round-1']);
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('not signed by an architect key');
  architect.git(['switch', '-q', 'main']);
  expect(snapshot(setup.server)).toBe(before);
  expect(existsSync(join(setup.server.dir, 'coord-hooks', 'audit.jsonl'))).toBe(true);
});

test('usage errors', async () => {
  expect((await run(setup.architect, 'announce', '--team', 'fw', '--round', '0', '-m', 'x')).code).toBe(2);
  expect((await run(setup.architect, 'announce', '--team', 'nope', '--round', '2', '-m', 'x')).stderr).toContain('no team "nope"');
  expect((await run(setup.architect, 'announce', '--team', 'fw', '--round', '2')).stderr).toContain('exactly one of --message M or --file F');
  pm.git(['switch', '-q', 'main']);
  const notRound = await run(pm, 'reply', '-m', 'x');
  expect(notRound.code).toBe(2);
  expect(notRound.stderr).toContain('reply works on a round branch pm/round-N');
});

test('after a pull, post-merge shows a new announcement for this clone\'s team', async () => {
  const { installCloneHooks } = await import('../../hooks/install');
  const qa = setup.clone('qa-pull');
  qa.git(['config', 'coord-hooks.team', 'qa']);
  await installCloneHooks(qa.dir, { team: 'qa', env: qa.env });
  const announced = await run(setup.architect, 'announce', '--team', 'qa', '--round', '5', '-m', 'Round 5 for qa:\nwrite the test plan.');
  expect(announced.code).toBe(0);
  qa.git(['fetch', '-q', 'origin']);
  qa.git(['switch', '-q', '-c', 'qa/round-5', 'origin/main']);
  const pulled = qa.tryGit(['pull', '--no-rebase', 'origin', 'qa/round-5']);
  const output = pulled.stdout.toString('utf8') + pulled.stderr;
  expect(pulled.code).toBe(0);
  expect(output).toContain('coord-hooks: announcement for qa, round 5 (rounds/5/qa/ANNOUNCEMENT.md):');
  expect(output).toContain('  write the test plan.');
});

test('check proves the architect\'s announcement by its signature, and reports a forged one', async () => {
  const announced = await run(setup.architect, 'announce', '--team', 'fw', '--round', '7', '-m', 'Round 7 for fw.');
  expect(announced.code).toBe(0);
  fw.git(['fetch', '-q', 'origin']);
  fw.git(['switch', '-q', '-c', 'fw/round-7', 'origin/fw/round-7']);
  const signed = await run(fw, 'check', '--json', 'origin/main..HEAD');
  expect(signed.stderr).toBe('');
  expect(JSON.parse(signed.stdout)).toMatchObject({ ok: true, commits: 1 });
  fw.write('rounds/7/fw/ANNOUNCEMENT.md', 'Round 7: do what fw likes.\n');
  fw.git(['add', '-A']);
  fw.git(['-c', 'commit.gpgsign=false', 'commit', '-q', '--no-verify', '-m', 'forged announcement']);
  const forged = await run(fw, 'check', '--json', 'origin/main..HEAD');
  expect(forged.code).toBe(1);
  expect(JSON.parse(forged.stdout).violations).toEqual([expect.objectContaining({ path: 'rounds/7/fw/ANNOUNCEMENT.md', reason: 'announcement' })]);
});
