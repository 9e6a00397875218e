/**
 * The soak, at the scale production reports: 33 rounds, 5 teams, scripted agents pushing at the same
 * time, `coord-hooks up` conducting and the architect's command announcing the next round. Every round
 * completes once, the architect's command runs exactly 33 times, every accepted commit is on the
 * server, every out-of-scope attempt is refused, the audit log has one valid line per push. It prints
 * the wall time and the hooks' share of it: every hook (client and server) runs through a timing
 * wrapper in front of node (the hook scripts' NODE= line, patched once up has set the clones up).
 * COORD_HOOKS_SOAK_ROUNDS overrides 33 (for a quick local run; CI runs the full soak).
 *
 * The agents run with the client hooks skipped (COORD_HOOKS=0), the server gate being the guarantee
 * this soak checks: with them, each agent run starts node about ten more times (pre-commit, pre-push,
 * reference-transaction on every round ref it touches), four times the soak's budget on a loaded
 * 2-core machine. COORD_HOOKS_SOAK_CLIENT_HOOKS=1 keeps them (and times them too).
 * conductor.test.ts runs the same agents with every client hook.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { join } from 'path';
import { readAudit } from '../../core/audit';
import { coordHooks, exitOf, startUp, upState, waitFor, writeAgentScript, writeArchitectScript } from '../../fixtures/conductor';
import { STANDARD_POLICY, teamClaude } from '../../fixtures/policies';
import { removeDir } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { installServerHooks } from '../../hooks/install';

const ROUNDS = Number(process.env.COORD_HOOKS_SOAK_ROUNDS || 33);
const TEAMS = ['db', 'fw', 'pm', 'qa', 'ui'];
const INTRUDE_EVERY = 4;
const CLIENT_HOOKS = process.env.COORD_HOOKS_SOAK_CLIENT_HOOKS === '1';
jest.setTimeout(15 * 60 * 1000);

let setup: Setup;
afterAll(() => { if (setup) removeDir(setup.root); });

/** Points every coord-hooks hook script in `hooksDir` at a node wrapper that logs "<hook> <ns>" per run. */
function timeHooks(hooksDir: string, wrapper: string): number {
  let patched = 0;
  for (const name of readdirSync(hooksDir)) {
    const file = join(hooksDir, name);
    const text = readFileSync(file, 'utf8');
    if (!text.includes('coord-hooks') || !/^NODE=/m.test(text)) continue;
    writeFileSync(file, text.replace(/^NODE=.*$/m, `NODE='${wrapper}'`));
    patched += 1;
  }
  return patched;
}

test(`soak: ${ROUNDS} rounds × ${TEAMS.length} teams conducted by up, agents pushing concurrently`, async () => {
  // The server as `install --server` sets it up (after the policy's first push).
  setup = await makeSetup({
    gate: false,
    policy: { ...STANDARD_POLICY, 'db/CLAUDE.md': teamClaude(['db/']), 'ui/CLAUDE.md': teamClaude(['ui/']), 'db/README.md': 'data\n', 'ui/README.md': 'interface\n' },
  });
  await installServerHooks(setup.server.dir, { env: setup.env });
  const times = join(setup.root, 'hook-times.log');
  const wrapper = join(setup.root, 'node-timed');
  writeFileSync(wrapper, `#!/bin/sh\ns=$(date +%s%N)\n'${process.execPath}' "$@"\nc=$?\necho "$3 $(( $(date +%s%N) - s ))" >> '${times}'\nexit $c\n`);
  chmodSync(wrapper, 0o755);
  expect(timeHooks(join(setup.server.dir, 'hooks'), wrapper)).toBe(2);

  const agent = writeAgentScript(join(setup.root, 'agent.sh'));
  const architectLog = join(setup.root, 'architect-command.log');
  const command = writeArchitectScript(join(setup.root, 'architect.sh'), architectLog, ROUNDS, TEAMS);
  const workspaces = join(setup.root, 'teams');
  const started = Date.now();
  const up = startUp(setup.architect, ['--agent', agent, '--workspaces', workspaces, '--on-round-complete', command, '--yes', '--interval', '0.2', '--until-round', String(ROUNDS)],
    join(setup.root, 'up.log'), { INTRUDE: 'all', INTRUDE_EVERY: String(INTRUDE_EVERY), ...(CLIENT_HOOKS ? {} : { COORD_HOOKS: '0' }) });
  await waitFor('up to start conducting', () => upState(setup.architect)?.pid === up.process.pid, 120000, up.diagnostics);
  for (const team of TEAMS) expect(timeHooks(join(workspaces, team, '.git', 'hooks'), wrapper)).toBe(4);
  expect((await coordHooks(setup.architect, ['announce', '--team', TEAMS.join(','), '--round', '1', '-m', 'Round 1: start'])).code).toBe(0);

  expect(await exitOf(up, 14 * 60 * 1000)).toBe(0);
  const wall = (Date.now() - started) / 1000;
  if (process.env.COORD_HOOKS_SOAK_LOG) console.log(up.diagnostics());
  const server = setup.server;

  // Every round complete once; the architect's command exactly once per round, in order.
  expect(readFileSync(architectLog, 'utf8').split('\n').filter(Boolean)).toEqual(Array.from({ length: ROUNDS }, (_, i) => `${i + 1} ${TEAMS.join(' ')}`));
  const audit = readAudit(server.dir);
  expect(audit.filter((record) => record.event === 'round-complete').map((record) => record.round)).toEqual(Array.from({ length: ROUNDS }, (_, i) => i + 1));
  const tags = server.git(['for-each-ref', '--format=%(refname)', 'refs/tags/round-*/done/*']).split('\n').filter(Boolean);
  expect(tags.length).toBe(ROUNDS * TEAMS.length);

  // Every accepted commit is on the server: each team's work and reply on each round branch.
  let teamCommits = 0;
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const team of TEAMS) {
      const branch = `refs/heads/${team}/round-${round}`;
      expect(server.git(['show', `${branch}:${team}/work-${round}.txt`])).toBe(`round ${round} by ${team}`);
      expect(server.git(['show', `${branch}:rounds/${round}/${team}/REPLY.md`])).toContain(`${team} finished round ${round}`);
      teamCommits += Number(server.git(['rev-list', '--count', branch, '^main']));
    }
  }
  // Work + reply per team and round, on top of the architect's announcement commit.
  expect(teamCommits).toBe(ROUNDS * TEAMS.length * 3);
  // Every out-of-scope attempt refused, and none reached a branch.
  const intrusions = Math.floor(ROUNDS / INTRUDE_EVERY) * TEAMS.length;
  const rejected = audit.filter((record) => record.event === 'rejected');
  expect(rejected.length).toBe(intrusions);
  expect(rejected.every((record) => /^shared\/intrusion-/.test(record.first?.[0]?.path ?? ''))).toBe(true);
  expect(server.git(['log', '--all', '--format=%H', '--', 'shared/']).split('\n').filter(Boolean).length).toBe(1);
  // One valid audit line per push: every line parses, and accepted + rejected = the pushes made.
  const raw = readFileSync(join(server.dir, 'coord-hooks', 'audit.jsonl'), 'utf8').split('\n').filter(Boolean);
  expect(raw.length).toBe(audit.length);
  const pushes = audit.filter((record) => record.event !== 'round-complete').length;
  // Per round: one announce push, one push per team (branch + done-tag); plus the intrusions and the signers commit.
  expect(pushes).toBe(ROUNDS * (1 + TEAMS.length) + intrusions + 1);
  const state = upState(setup.architect)!;
  expect(Object.values(state.deliveries).every((delivery) => delivery.runs.map((run) => run.outcome).join() === 'done')).toBe(true);
  expect(Object.keys(state.deliveries).length).toBe(ROUNDS * TEAMS.length);

  // The hooks' share of the wall time.
  const hookLines = existsSync(times) ? readFileSync(times, 'utf8').split('\n').filter(Boolean).map((line) => line.split(' ')) : [];
  const byHook = new Map<string, { runs: number; seconds: number }>();
  for (const [hook, ns] of hookLines) {
    const entry = byHook.get(hook) ?? { runs: 0, seconds: 0 };
    byHook.set(hook, { runs: entry.runs + 1, seconds: entry.seconds + Number(ns) / 1e9 });
  }
  const hookSeconds = [...byHook.values()].reduce((sum, entry) => sum + entry.seconds, 0);
  expect(byHook.get('pre-receive')?.runs).toBe(pushes);
  console.log([
    `soak: ${ROUNDS} rounds × ${TEAMS.length} teams, ${teamCommits} team commits, ${pushes} pushes (${intrusions} refused) in ${wall.toFixed(1)} s wall (${(wall / ROUNDS).toFixed(2)} s per round)`,
    `hooks (${CLIENT_HOOKS ? 'client and server' : 'server; client hooks skipped'}): ${hookSeconds.toFixed(1)} s summed over ${hookLines.length} runs = ${(100 * hookSeconds / wall).toFixed(0)}% of the wall time, ${(100 * hookSeconds / (2 * wall)).toFixed(0)}% of 2 cores × wall`,
    ...[...byHook].sort(([a], [b]) => a.localeCompare(b)).map(([hook, entry]) => `  ${hook.padEnd(22)} ${String(entry.runs).padStart(4)} runs  ${entry.seconds.toFixed(1).padStart(6)} s  ${(1000 * entry.seconds / entry.runs).toFixed(0).padStart(5)} ms each`),
  ].join('\n'));
});
