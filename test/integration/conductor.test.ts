/**
 * `coord-hooks up` with scripted agents (plain shell scripts), run as a person runs it: the compiled
 * CLI as its own process in the architect's clone of a gated server. Headless mode: one agent run per
 * announcement; the architect's command once per complete round; a killed agent resumed by the next up.
 */
import { existsSync, readFileSync } from 'fs';
import { join } from 'path';
import { readAudit } from '../../core/audit';
import { runProcess } from '../../core/process';
import { CLI, coordHooks, exitOf, startUp, upState, waitFor, writeAgentScript, writeArchitectScript } from '../../fixtures/conductor';
import { removeDir } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';

jest.setTimeout(240000);

const TEAMS = ['fw', 'pm', 'qa'];
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

describe('up, headless, with scripted agents', () => {
  let setup: Setup;
  afterAll(() => { if (setup) removeDir(setup.root); });

  test('two rounds: every announcement handed once, in-scope work on the server, the intrusions refused, the architect\'s command once per round', async () => {
    setup = await makeSetup();
    const agent = writeAgentScript(join(setup.root, 'agent.sh'));
    const architectLog = join(setup.root, 'architect-command.log');
    const command = writeArchitectScript(join(setup.root, 'architect.sh'), architectLog, 2, TEAMS);
    const workspaces = join(setup.root, 'teams');
    const up = startUp(setup.architect, ['--agent', agent, '--workspaces', workspaces, '--on-round-complete', command, '--yes', '--interval', '0.3', '--until-round', '2'],
      join(setup.root, 'up.log'), { INTRUDE: 'all' });

    // The conductor is polling: the architect announces round 1 (its command announces round 2).
    await waitFor('up to start conducting', () => upState(setup.architect)?.pid === up.process.pid, 90000, up.diagnostics);
    const second = await coordHooks(setup.architect, ['up', '--agent', agent, '--workspaces', workspaces, '--yes']);
    expect({ code: second.code, output: second.output }).toEqual({ code: 1, output: expect.stringContaining(`coord-hooks up is already running here (pid ${up.process.pid}`) });
    const announced = await coordHooks(setup.architect, ['announce', '--team', TEAMS.join(','), '--round', '1', '-m', 'Round 1: build the first part']);
    expect(announced.code).toBe(0);

    expect(await exitOf(up, 200000)).toBe(0);
    const output = up.output();
    const server = setup.server;

    // The keys: one architect-signed commit on main listing the three team keys.
    expect(server.git(['log', '-1', '--format=%s', 'main', '--', '.coord/allowed_signers'])).toBe('signers: keys of fw, pm, qa (coord-hooks up)');
    expect(server.git(['cat-file', 'commit', 'main'])).toContain('-----BEGIN SSH SIGNATURE-----');

    for (const round of [1, 2]) {
      for (const team of TEAMS) {
        // In-scope work and the reply on the round branch; the done-tag; no intrusion anywhere.
        expect(server.git(['show', `refs/heads/${team}/round-${round}:${team}/work-${round}.txt`])).toBe(`round ${round} by ${team}`);
        expect(server.git(['show', `refs/heads/${team}/round-${round}:rounds/${round}/${team}/REPLY.md`])).toContain(`${team} finished round ${round}`);
        expect(server.git(['rev-parse', '--verify', '-q', `refs/tags/round-${round}/done/${team}`])).toMatch(/^[0-9a-f]{40}$/);
        expect(server.git(['ls-tree', '-r', '--name-only', `refs/heads/${team}/round-${round}`])).not.toContain('intrusion');
      }
    }
    // The architect's command ran exactly once per round, with every team's reply.
    expect(lines(architectLog)).toEqual(['1 fw pm qa', '2 fw pm qa']);
    expect(lines(`${architectLog}.replies`)).toEqual(['3', '3']);

    // Each announcement handed once, to one run that ended with the done-tag.
    const state = upState(setup.architect)!;
    const deliveries = Object.values(state.deliveries).map((delivery) => `${delivery.branch}:${delivery.runs.map((run) => run.outcome).join(',')}`).sort();
    expect(deliveries).toEqual(['fw/round-1:done', 'fw/round-2:done', 'pm/round-1:done', 'pm/round-2:done', 'qa/round-1:done', 'qa/round-2:done']);
    expect(state.stopped).toBeDefined();
    expect(Object.keys(state.completed).sort()).toEqual(['1', '2']);

    // Per-team logs hold the agent's output, prompt = the announcement.
    const fwLog = readFileSync(join(setup.architect.dir, '.git', 'coord-hooks', 'up', 'logs', 'fw.log'), 'utf8');
    expect(fwLog).toContain('agent fw round 1: Round 1: build the first part');
    expect(fwLog).toContain('agent fw round 2: Round 2: next step');
    expect(fwLog).toContain('refused as expected');
    expect(output).toMatch(/up: \d\d:\d\d:\d\d round 2 is complete: stopping \(--until-round\)/);

    // The server's audit log: one valid line per push; the six intrusions rejected, nothing else.
    const audit = readAudit(server.dir);
    expect(readFileSync(join(server.dir, 'coord-hooks', 'audit.jsonl'), 'utf8').split('\n').filter(Boolean).length).toBe(audit.length);
    const rejected = audit.filter((record) => record.event === 'rejected');
    expect(rejected.map((record) => record.first?.[0]?.path).sort()).toEqual(TEAMS.flatMap((team) => [1, 2].map((round) => `shared/intrusion-${team}-${round}.txt`)).sort());
    expect(audit.filter((record) => record.event === 'round-complete').map((record) => record.round)).toEqual([1, 2]);

    // The board once: both rounds complete, the rejections counted, each agent idle.
    const status = await coordHooks(setup.architect, ['up', '--status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/round 1 complete/);
    expect(status.stdout).toMatch(/round 2 complete/);
    expect(status.stdout).toMatch(/rejected pushes \(audit log\): .*fw 2/);
    expect(status.stdout).toContain('idle: round 2 done');
    expect(status.stdout).toContain('up not running');
  });
});

describe('up: a killed agent', () => {
  let setup: Setup;
  afterAll(() => { if (setup) removeDir(setup.root); });

  test('the board shows it, the round stays open, nothing is lost; Ctrl-C stops up cleanly and the next up resumes it', async () => {
    setup = await makeSetup();
    const agent = writeAgentScript(join(setup.root, 'agent.sh'));
    const architectLog = join(setup.root, 'architect-command.log');
    const command = writeArchitectScript(join(setup.root, 'architect.sh'), architectLog, 1, TEAMS);
    const args = ['--agent', agent, '--workspaces', join(setup.root, 'teams'), '--on-round-complete', command, '--yes', '--interval', '0.3'];
    const first = startUp(setup.architect, args, join(setup.root, 'up-1.log'), { PAUSE_TEAM: 'pm' });
    await waitFor('up to start conducting', () => upState(setup.architect)?.pid === first.process.pid, 90000, first.diagnostics);
    expect((await coordHooks(setup.architect, ['announce', '--team', TEAMS.join(','), '--round', '1', '-m', 'Round 1: two parts'])).code).toBe(0);

    // pm pushes part 1 and pauses; fw and qa finish.
    const part1 = await waitFor('pm to push part 1', () => setup.server.tryGit(['rev-parse', '--verify', '-q', 'refs/heads/pm/round-1']).stdout.toString().trim()
      && setup.server.tryGit(['cat-file', '-e', 'refs/heads/pm/round-1:pm/work-1.txt']).code === 0 && setup.server.git(['rev-parse', 'refs/heads/pm/round-1']), 120000, first.diagnostics);
    await waitFor('fw and qa to be done', () => ['fw', 'qa'].every((team) => setup.server.tryGit(['rev-parse', '--verify', '-q', `refs/tags/round-1/done/${team}`]).code === 0), 120000, first.diagnostics);
    const pm = Object.values(upState(setup.architect)!.deliveries).find((delivery) => delivery.team === 'pm')!;
    const pid = pm.runs[0].pid!;
    process.kill(-pid, 'SIGKILL');

    await waitFor('up to record the kill', () => upState(setup.architect)?.deliveries[`pm/round-1@${pm.commit}`]?.runs[0].outcome === 'killed', 30000, first.diagnostics);
    const status = await coordHooks(setup.architect, ['up', '--status']);
    expect(status.stdout).toContain('KILLED during round 1');
    expect(status.stdout).toMatch(/round 1 open/);
    const tally = await coordHooks(setup.architect, ['tally', '--remote', 'origin']);
    expect(tally.stdout).toContain('round 1: 2/3 done; waiting for pm');
    expect(lines(architectLog)).toEqual([]);

    // Ctrl-C: up stops cleanly (exit 0), records that it stopped.
    process.kill(first.process.pid, 'SIGINT');
    expect(await exitOf(first, 30000)).toBe(0);
    expect(upState(setup.architect)?.stopped).toBeDefined();
    expect(first.output()).toMatch(/up: \S+ stopped; unfinished runs resume with the next coord-hooks up/);

    // up again: pm's announcement is resumed in the same workspace; part 1 is still there.
    const second = startUp(setup.architect, [...args, '--until-round', '1'], join(setup.root, 'up-2.log'), { PAUSE_TEAM: 'pm' });
    expect(await exitOf(second, 120000)).toBe(0);
    expect(second.output()).toContain('pm: round 1: agent started (resumed)');
    expect(setup.server.git(['merge-base', '--is-ancestor', part1, 'refs/heads/pm/round-1']) ).toBe('');
    expect(setup.server.git(['show', 'refs/heads/pm/round-1:pm/work-1.txt'])).toBe('round 1 by pm');
    expect(setup.server.tryGit(['rev-parse', '--verify', '-q', 'refs/tags/round-1/done/pm']).code).toBe(0);
    expect(lines(architectLog)).toEqual(['1 fw pm qa']);
    const runs = upState(setup.architect)!.deliveries[`pm/round-1@${pm.commit}`].runs.map((run) => run.outcome);
    expect(runs).toEqual(['killed', 'done']);
    // fw and qa were not handed round 1 again.
    expect(Object.values(upState(setup.architect)!.deliveries).filter((delivery) => delivery.team !== 'pm').map((delivery) => delivery.runs.length)).toEqual([1, 1]);
  });
});

describe('up: confirmation, down, usage', () => {
  let setup: Setup;
  afterAll(() => { if (setup) removeDir(setup.root); });

  test('without --yes and without a terminal, the team keys are not committed and no agent starts (exit 2)', async () => {
    setup = await makeSetup();
    const before = setup.server.git(['rev-parse', 'main']);
    const result = await coordHooks(setup.architect, ['up', '--teams', 'pm', '--agent', 'true', '--workspaces', join(setup.root, 'teams')]);
    expect({ code: result.code, output: result.output }).toEqual({ code: 2, output: expect.stringContaining('the team keys need the architect\'s confirmation') });
    expect(result.output).toContain('pm namespaces="git" ssh-ed25519 ');
    expect(setup.server.git(['rev-parse', 'main'])).toBe(before);
    expect(upState(setup.architect)).toBeNull();
    expect((await coordHooks(setup.architect, ['up', '--teams', 'nope'])).code).toBe(2);
    expect((await coordHooks(setup.architect, ['up', '--json'])).code).toBe(2);
    const never = await coordHooks(setup.architect, ['down']);
    expect({ code: never.code, output: never.output }).toEqual({ code: 1, output: expect.stringContaining('coord-hooks up has not run in this clone') });
  });

  test('down stops the running up and its agent (its process group); the run is recorded as stopped, resumable', async () => {
    const agent = writeAgentScript(join(setup.root, 'agent.sh'));
    const up = startUp(setup.architect, ['--teams', 'pm', '--agent', agent, '--workspaces', join(setup.root, 'teams'), '--yes', '--interval', '0.3'], join(setup.root, 'up.log'), { PAUSE_TEAM: 'pm' });
    await waitFor('up to start conducting', () => upState(setup.architect)?.pid === up.process.pid, 90000, up.diagnostics);
    expect((await coordHooks(setup.architect, ['announce', '--team', 'pm', '--round', '1', '--expect', 'pm', '-m', 'Round 1: pm alone'])).code).toBe(0);
    await waitFor('pm to pause', () => up.diagnostics().includes('paused after pushing part 1'), 90000, up.diagnostics);
    const pid = Object.values(upState(setup.architect)!.deliveries)[0].runs[0].pid!;
    const status = await coordHooks(setup.architect, ['up', '--status']);
    expect(status.stdout).toMatch(/pm +working on round 1 \(pid \d+/);
    // On a terminal (script(1) gives it one): the board with colour and marks, as up draws it live.
    const tty = await runProcess('script', ['-qec', `'${process.execPath}' '${CLI}' up --status`, '/dev/null'], { cwd: setup.architect.dir, env: { ...setup.architect.env, TERM: 'xterm' } });
    expect({ code: tty.code, board: new RegExp(`${String.fromCharCode(27)}\\[\\d+m… announced`).test(tty.stdout) && tty.stdout.includes('working on round 1'), output: tty.stdout }).toEqual({ code: 0, board: true, output: tty.stdout });
    const json = JSON.parse((await coordHooks(setup.architect, ['up', '--status', '--json'])).stdout) as { running: boolean; teams: string[] };
    expect({ running: json.running, teams: json.teams }).toEqual({ running: true, teams: ['pm'] });

    const down = await coordHooks(setup.architect, ['down']);
    expect({ code: down.code, output: down.output }).toEqual({ code: 0, output: expect.stringContaining(`stopped up (pid ${up.process.pid})`) });
    expect(await exitOf(up, 30000)).toBe(0);
    // Nothing of the agent's process group is left running (zombies aside: this container's init reaps late).
    const ps = await runProcess('ps', ['-eo', 'pgid=,stat=,args='], { env: process.env });
    expect(ps.stdout.split('\n').filter((line) => line.trim().split(/\s+/)[0] === String(pid) && !/^\s*\d+\s+Z/.test(line))).toEqual([]);
    const run = Object.values(upState(setup.architect)!.deliveries)[0].runs[0];
    expect(run.outcome).toBe('stopped');
    expect((await coordHooks(setup.architect, ['down'])).output).toContain('nothing was running');
  });
});
