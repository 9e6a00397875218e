/**
 * `coord-hooks demo`: one full round on throwaway repositories, with the real gate installed in a bare
 * server, real SSH keys, and the real commands: announce, watch, commits in scope, an out-of-scope write
 * stopped by pre-commit and then by the server, reply, signal-done, wait-for, tally, status, merge; then
 * round 2 run by `coord-hooks up` with scripted agents.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import type { CommandIO } from '../core/io';
import { CoordError } from '../core/errors';
import { writeAgentScript } from '../fixtures/conductor';
import { makeSshKey, signersLine, type SshKey } from '../fixtures/keys';
import { STANDARD_POLICY } from '../fixtures/policies';
import { cloneRepo, initRepo, isolatedEnv, Repo } from '../fixtures/repo';
import { configureSigning } from '../fixtures/server';
import { installCloneHooks, installServerHooks } from '../hooks/install';
import { narrator, type Narrator } from './narrator';

const TEAMS = ['fw', 'pm', 'qa'] as const;
type Team = (typeof TEAMS)[number];

interface World {
  root: string;
  server: Repo;
  architect: Repo;
  teams: Record<Team, Repo>;
}

/** The command line, handed in by cli/demo.ts (demo/ sits below cli/ and does not import it). */
export type RunCli = (argv: string[], io: CommandIO) => Promise<number>;
let runCli: RunCli = async () => { throw new CoordError('demo: playDemo was not given the command line'); };

/** Runs a coord-hooks command in `repo`, shows it, and returns its exit code and output. */
async function coord(tell: Narrator, who: string, repo: Repo, argv: string[]): Promise<{ code: number; text: string }> {
  tell.command(who, `coord-hooks ${argv.map((arg) => (/[\s"']/.test(arg) ? JSON.stringify(arg) : arg)).join(' ')}`);
  let text = '';
  const sink = (chunk: string) => { text += chunk; };
  const code = await runCli(argv, { cwd: repo.dir, env: repo.env, stdin: process.stdin, out: sink, err: sink, isTTY: false });
  tell.output(text, code === 0 ? 'plain' : 'bad');
  return { code, text };
}

function git(tell: Narrator, who: string, repo: Repo, args: string[], show = true): { code: number; text: string } {
  if (show) tell.command(who, `git ${args.map((arg) => (/\s/.test(arg) ? JSON.stringify(arg) : arg)).join(' ')}`);
  const result = repo.tryGit(args);
  const text = (result.stdout.toString('utf8') + result.stderr).replace(/ +$/gm, '');
  if (show) tell.output(text, result.code === 0 ? 'plain' : 'bad');
  return { code: result.code, text };
}

function must(result: { code: number; text: string }, what: string): void {
  if (result.code !== 0) throw new CoordError(`demo: ${what} failed unexpectedly:\n${result.text}`);
}

async function build(root: string, tell: Narrator): Promise<World> {
  const home = join(root, 'home');
  mkdirSync(home, { recursive: true });
  writeFileSync(join(home, '.gitconfig'), '[init]\n\tdefaultBranch = main\n[advice]\n\tdetachedHead = false\n');
  const env = isolatedEnv(home);
  const keys: Record<string, SshKey> = {};
  for (const name of ['architect', ...TEAMS]) keys[name] = await makeSshKey(home, name);

  const server = initRepo(join(root, 'server.git'), env, { bare: true });
  await installServerHooks(server.dir, { env });
  const architect = cloneRepo(server.dir, join(root, 'architect'), env);
  configureSigning(architect, keys.architect);
  architect.commit('policy: three teams and their scopes', {
    ...STANDARD_POLICY,
    '.coord/allowed_signers': ['architect', ...TEAMS].map((name) => signersLine(name, keys[name])).join('\n') + '\n',
  });
  must(git(tell, 'architect', architect, ['push', '-q', 'origin', 'main'], false), 'the first push of the policy');
  const teams = {} as Record<Team, Repo>;
  for (const team of TEAMS) {
    const clone = cloneRepo(server.dir, join(root, team), env);
    configureSigning(clone, keys[team]);
    await installCloneHooks(clone.dir, { team, env });
    teams[team] = clone;
  }
  return { root, server, architect, teams };
}

/** Round 2 run by `coord-hooks up`: a workspace and a scripted agent per team, the architect's command once. */
async function roundByUp(tell: Narrator, root: string, architect: Repo): Promise<void> {
  tell.step('Round 2, run by `coord-hooks up`: a workspace and a scripted agent per team; each gets the announcement once; the architect\'s command runs when the round is complete');
  const agent = writeAgentScript(join(root, 'agent.sh'));
  const argv = ['up', '--agent', agent, '--workspaces', join(root, 'teams'), '--on-round-complete', 'echo "round $ROUND complete: $TEAMS" > ../round-complete.txt', '--yes', '--interval', '0.2', '--until-round', '2'];
  tell.command('architect', `coord-hooks ${argv.join(' ')}   # agent.sh: commit in scope, coord-hooks reply, coord-hooks signal-done`);
  let text = '';
  const sink = (chunk: string) => { text += chunk; };
  const conducting = runCli(argv, { cwd: architect.dir, env: architect.env, stdin: process.stdin, out: sink, err: sink, isTTY: false });
  const deadline = Date.now() + 60000;
  while (!text.includes(' conducting ')) {
    if (Date.now() > deadline || /^coord-hooks up: /m.test(text)) throw new CoordError(`demo: up did not start:\n${text}`);
    await new Promise((done) => setTimeout(done, 100));
  }
  must(await coord(tell, 'architect', architect, ['announce', '--team', 'fw,pm,qa', '--round', '2', '--message', 'Round 2: one more step each.']), 'announce round 2');
  const code = await conducting;
  tell.command('architect', '(coord-hooks up, as it ran)');
  tell.output(text, code === 0 ? 'plain' : 'bad');
  if (code !== 0 || !text.includes('round 2 complete')) throw new CoordError('demo: up did not run round 2 to its end');
  tell.say(readFileSync(join(root, 'round-complete.txt'), 'utf8').trim());
}

export async function playDemo(root: string, io: CommandIO, run: RunCli): Promise<void> {
  runCli = run;
  const tell = narrator(io);
  const started = Date.now();
  tell.step('Set-up: a bare server with the gate, an architect, three teams (fw, pm, qa) with their own SSH keys');
  const world = await build(root, tell);
  const { architect, teams } = world;
  tell.say(`server: ${world.server.dir} (pre-receive installed)\npolicy on main: fw may write fw/ and experiments/x/, pm may write pm/, qa may write qa/ and tests/**/*.spec.ts`);

  tell.step('The architect announces round 1 to every team');
  must(await coord(tell, 'architect', architect, ['announce', '--team', 'fw,pm,qa', '--round', '1', '--message', 'Round 1: each team ships one improvement in its own area, replies, and signals done.']), 'announce');

  tell.step('Each team\'s agent picks up its announcement');
  must(await coord(tell, 'fw', teams.fw, ['watch', '--once', '--interval', '0.2']), 'watch');
  for (const team of TEAMS) {
    const repo = teams[team];
    repo.git(['fetch', '-q', 'origin']);
    repo.git(['switch', '-q', '-c', `${team}/round-1`, '--track', `origin/${team}/round-1`]);
  }

  tell.step('Each team works inside its scope and pushes');
  const work: Record<Team, Record<string, string>> = {
    fw: { 'fw/engine.py': 'def run():\n    return "2x faster"\n' },
    pm: { 'pm/roadmap.md': '# Roadmap\n\n- ship the engine\n' },
    qa: { 'qa/plan.md': '# Test plan\n', 'tests/engine/run.spec.ts': 'test("runs", () => {});\n' },
  };
  for (const team of TEAMS) {
    teams[team].commit(`${team}: round 1 work`, work[team]);
    must(git(tell, team, teams[team], ['push', '-q', 'origin', `${team}/round-1`]), `${team}'s push`);
  }

  tell.step('pm\'s agent strays into fw\'s code: pre-commit says no; skipping every client hook with --no-verify, the server still says no');
  const pm = teams.pm;
  pm.write('fw/engine.py', 'def run():\n    return "pm knows best"\n');
  pm.git(['add', '-A']);
  const refused = git(tell, 'pm', pm, ['commit', '-q', '-m', 'tweak the engine']);
  if (refused.code === 0) throw new CoordError('demo: pre-commit should have refused the out-of-scope commit');
  git(tell, 'pm', pm, ['commit', '-q', '--no-verify', '-m', 'tweak the engine anyway']);
  const rejected = git(tell, 'pm', pm, ['push', '--no-verify', 'origin', 'pm/round-1']);
  if (rejected.code === 0 || !rejected.text.includes('push rejected')) throw new CoordError('demo: the server should have rejected the push');
  tell.say('The agent reads the message and drops the commit:');
  must(git(tell, 'pm', pm, ['reset', '-q', '--hard', 'origin/pm/round-1']), 'reset');

  tell.step('Teams reply and signal done with signed tags');
  for (const team of TEAMS) {
    must(await coord(tell, team, teams[team], ['reply', '--message', `${team}: done, see the round-1 commit.`]), `${team}'s reply`);
    must(await coord(tell, team, teams[team], ['signal-done', '--round', '1']), `${team}'s signal-done`);
  }

  tell.step('The architect reads the replies and waits for the round: the barrier that replaces Redis');
  must(await coord(tell, 'architect', architect, ['watch', '--replies', '--once', '--interval', '0.2']), 'watch --replies');
  must(await coord(tell, 'architect', architect, ['wait-for', '--round', '1', 'fw', 'pm', 'qa', '--timeout', '30', '--interval', '0.2']), 'wait-for');
  must(await coord(tell, 'architect', architect, ['tally', '--round', '1']), 'tally');
  must(await coord(tell, 'architect', architect, ['status', '--no-fetch']), 'status');

  tell.step('The architect merges the team branches into main (a signed merge, as the gate requires)');
  architect.git(['fetch', '-q', 'origin']);
  must(git(tell, 'architect', architect, ['merge', '-q', '-S', '--no-edit', '-m', 'merge round 1', 'origin/fw/round-1', 'origin/pm/round-1', 'origin/qa/round-1']), 'merge');
  must(git(tell, 'architect', architect, ['push', '-q', 'origin', 'main']), 'the push of main');
  must(git(tell, 'architect', architect, ['log', '--oneline', '--graph', '-12', 'main']), 'log');

  await roundByUp(tell, root, architect);

  tell.step(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
