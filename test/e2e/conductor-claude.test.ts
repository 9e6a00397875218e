/**
 * `coord-hooks up` end to end with the real Claude Code CLI as every team's agent (headless, the
 * announcement as its prompt), each session driven by a scripted stand-in for the Messages API on
 * 127.0.0.1 (fixtures/claude/stand-in.ts; one per team, its URL read by the agent command). The
 * architect announces round 1; each session writes inside its scope, tries once to write outside it
 * and is refused by the guard, commits, replies and signals done from its Bash tool (under Claude
 * Code's sandbox, as `install --claude` sets it up); the architect's command (`--on-round-complete`)
 * runs exactly once; the audit log and `status` show the round. The same round with a plain shell
 * script as the agent closes the file; there the server's own `coord.on-round-complete` runs exactly
 * once too (with Claude Code, the push that completes the round comes from a sandboxed session).
 * A missing Claude Code CLI is a failing test naming `bash scripts/system-deps.sh`, never a skip.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { readAudit } from '../../core/audit';
import { claudeBinary, claudeEnv, claudeMissing } from '../../fixtures/claude/run';
import { startStandIn, type StandIn, type Turn } from '../../fixtures/claude/stand-in';
import { coordHooks, exitOf, startUp, upState, waitFor, writeAgentScript } from '../../fixtures/conductor';
import { ROOT_CLAUDE, STANDARD_POLICY } from '../../fixtures/policies';
import { removeDir, tempDir } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';

jest.setTimeout(420000);

const missing = claudeMissing();
if (missing) test('the Claude Code CLI is installed', () => { throw new Error(missing); });
const maybe = missing ? describe.skip : describe;

const TEAMS = ['fw', 'pm', 'qa'];
const OTHER: Record<string, string> = { fw: 'pm', pm: 'qa', qa: 'fw' };
const ANNOUNCEMENT = 'Round 1: add your feature file, then reply and signal done (conductor e2e 5b2e).';
/** The server's command writes here: the set-up's directory does not exist yet when the policy is written. */
const logs = tempDir('coord-hooks-conductor-e2e-');
afterAll(() => removeDir(logs));
const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

/** A set-up whose policy also has the server's own round-complete command. */
async function conductedSetup(serverLog: string): Promise<Setup> {
  const root = ROOT_CLAUDE.replace('  architects: [architect]\n', `  architects: [architect]\n  on-round-complete: ["echo server $ROUND $TEAMS >> '${serverLog}'"]\n`);
  return makeSetup({ policy: { ...STANDARD_POLICY, 'CLAUDE.md': root } });
}

/** What the whole round left on the server, for both agents. */
async function expectRoundOnServer(setup: Setup, options: { architectLog: string; serverLog?: string; intrusion: (team: string) => string }): Promise<void> {
  const server = setup.server;
  for (const team of TEAMS) {
    expect(server.git(['rev-parse', '--verify', '-q', `refs/tags/round-1/done/${team}`])).toMatch(/^[0-9a-f]{40}$/);
    expect(server.git(['show', `refs/heads/${team}/round-1:rounds/1/${team}/REPLY.md`]).length).toBeGreaterThan(0);
    const changed = server.git(['diff', '--name-only', 'main', `refs/heads/${team}/round-1`]).split('\n');
    expect(changed.every((path) => path.startsWith(`${team}/`) || path.startsWith(`rounds/1/${team}/`))).toBe(true);
    expect(changed).not.toContain(options.intrusion(team));
  }
  // Each command exactly once, when the last done-tag landed.
  expect(lines(options.architectLog)).toEqual(['1 fw pm qa']);
  if (options.serverLog) {
    await waitFor('the server\'s command (detached)', () => lines(options.serverLog!).length > 0, 20000);
    expect(lines(options.serverLog)).toEqual(['server 1 fw pm qa']);
  }
  // The audit log: every push accepted, one line each, the round's completion once.
  const audit = readAudit(server.dir);
  expect(audit.filter((record) => record.event === 'round-complete').map((record) => record.round)).toEqual([1]);
  const doneTags = audit.flatMap((record) => record.refs.map((ref) => ref.ref)).filter((ref) => /^refs\/tags\/round-1\/done\//.test(ref)).sort();
  expect(doneTags).toEqual(TEAMS.map((team) => `refs/tags/round-1/done/${team}`));
  // status: the whole round.
  const status = await coordHooks(setup.architect, ['status']);
  expect(status.stdout).toContain('round 1: COMPLETE');
  for (const team of TEAMS) expect(status.stdout).toMatch(new RegExp(`${team} +announced \\S+ · replied \\S+ · done \\S+ by ${team}`));
}

maybe('up with the real Claude Code CLI as every team\'s agent', () => {
  let setup: Setup;
  const standIns: StandIn[] = [];
  afterAll(async () => {
    await Promise.all(standIns.map((standIn) => standIn.close()));
    if (setup) removeDir(setup.root);
  });

  test('round 1: in scope written, the intrusion refused, committed, replied, done; the architect\'s command once; audit and status show it', async () => {
    setup = await conductedSetup(join(logs, 'server-command-claude.log'));
    const workspaces = join(setup.root, 'teams');
    const urls = join(setup.root, 'urls');
    mkdirSync(urls);
    for (const team of TEAMS) {
      const dir = join(workspaces, team);
      const turns: Turn[] = [
        { tools: [{ name: 'Write', input: { file_path: join(dir, team, 'feature.txt'), content: `${team} feature by the session\n` } }] },
        { tools: [{ name: 'Write', input: { file_path: join(dir, OTHER[team], 'intrusion.txt'), content: 'not mine\n' } }] },
        { tools: [{ name: 'Bash', input: { command: `git add -A && git commit -q -m "${team}: round 1 feature" && coord-hooks reply -m "${team}: feature added" && coord-hooks signal-done --round 1`, description: 'commit, reply, signal done' } }] },
        { text: 'Finished.' },
      ];
      const standIn = await startStandIn({ turns, lifetimeMs: 400000 });
      standIns.push(standIn);
      writeFileSync(join(urls, team), standIn.url);
    }
    const home = join(setup.root, 'claude-home');
    mkdirSync(home);
    const env = claudeEnv(setup.env, home, standIns[0], { NO_COLOR: '1' });
    const agent = `ANTHROPIC_BASE_URL="$(cat '${urls}'/"$TEAM")" '${claudeBinary()}' -p "$(cat "$ANNOUNCEMENT")" --output-format stream-json --verbose --permission-mode bypassPermissions`;
    const architectLog = join(setup.root, 'architect-command.log');
    const up = startUp(setup.architect, ['--agent', agent, '--workspaces', workspaces, '--on-round-complete', `echo "$ROUND $TEAMS" >> '${architectLog}'`, '--yes', '--interval', '0.5', '--until-round', '1'],
      join(setup.root, 'up.log'), env);
    await waitFor('up to start conducting', () => upState(setup.architect)?.pid === up.process.pid, 120000, up.diagnostics);
    expect((await coordHooks(setup.architect, ['announce', '--team', TEAMS.join(','), '--round', '1', '-m', ANNOUNCEMENT])).code).toBe(0);
    expect(await exitOf(up, 360000)).toBe(0);
    const story = up.diagnostics();

    TEAMS.forEach((team, index) => {
      const standIn = standIns[index];
      const dir = join(workspaces, team);
      // The prompt was the announcement; the session ran its whole script.
      expect({ team, prompt: JSON.stringify(standIn.mainRequests()[0]?.body ?? '').includes(ANNOUNCEMENT), remaining: standIn.remaining() }).toEqual({ team, prompt: true, remaining: 0 });
      expect({ team, write: standIn.resultOf('Write', 0)?.isError }).toEqual({ team, write: false });
      const refused = standIn.resultOf('Write', 1);
      expect({ team, refused: refused?.isError, text: refused?.text }).toEqual({ team, refused: true, text: expect.stringContaining(`coord-hooks guard: blocked Write to ${OTHER[team]}/intrusion.txt`) });
      expect(existsSync(join(dir, OTHER[team], 'intrusion.txt'))).toBe(false);
      const bash = standIn.resultOf('Bash', 0);
      expect({ team, bash: bash?.isError ? bash.text : 'ran', story: bash?.isError ? story : '' }).toEqual({ team, bash: 'ran', story: '' });
      expect(setup.server.git(['show', `refs/heads/${team}/round-1:${team}/feature.txt`])).toBe(`${team} feature by the session`);
    });
    // The server here is a path on this machine, so its hooks run inside the sandbox of the session
    // that pushed: a detached coord.on-round-complete started there is confined and ends with it
    // (docs/conductor.md). up's own command runs outside any sandbox: checked once above.
    await expectRoundOnServer(setup, { architectLog, intrusion: (team) => `${OTHER[team]}/intrusion.txt` });
    const outcomes = Object.values(upState(setup.architect)!.deliveries).map((delivery) => `${delivery.team}:${delivery.runs.map((run) => run.outcome).join(',')}`).sort();
    expect(outcomes).toEqual(['fw:done', 'pm:done', 'qa:done']);
    expect(readFileSync(join(setup.architect.dir, '.git', 'coord-hooks', 'up', 'logs', 'fw.log'), 'utf8')).toContain('"type":"result"');
  });
});

describe('up with a plain shell script as every team\'s agent (the same round)', () => {
  let setup: Setup;
  afterAll(() => { if (setup) removeDir(setup.root); });

  test('round 1: in scope written, the intrusion refused by the server, replied, done; each command once; audit and status show it', async () => {
    const serverLog = join(logs, 'server-command-sh.log');
    setup = await conductedSetup(serverLog);
    const architectLog = join(setup.root, 'architect-command.log');
    const up = startUp(setup.architect, ['--agent', writeAgentScript(join(setup.root, 'agent.sh')), '--workspaces', join(setup.root, 'teams'),
      '--on-round-complete', `echo "$ROUND $TEAMS" >> '${architectLog}'`, '--yes', '--interval', '0.3', '--until-round', '1'], join(setup.root, 'up.log'), { INTRUDE: 'all' });
    await waitFor('up to start conducting', () => upState(setup.architect)?.pid === up.process.pid, 120000, up.diagnostics);
    expect((await coordHooks(setup.architect, ['announce', '--team', TEAMS.join(','), '--round', '1', '-m', ANNOUNCEMENT])).code).toBe(0);
    expect(await exitOf(up, 240000)).toBe(0);
    await expectRoundOnServer(setup, { architectLog, serverLog, intrusion: (team) => `shared/intrusion-${team}-1.txt` });
    expect(readAudit(setup.server.dir).filter((record) => record.event === 'rejected').length).toBe(3);
  });
});
