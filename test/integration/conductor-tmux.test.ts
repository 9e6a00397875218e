/**
 * `coord-hooks up --interactive`: one tmux window per team (a tmux server of up's own), a live
 * session in each told of its announcement by one line typed into its window. The session here is a
 * scripted shell that reads lines from its terminal like a person at a prompt, and does the round
 * (tests/fixtures' scripted agent) when a line tells it of one. tmux missing is a failing test.
 */
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'fs';
import { join } from 'path';
import { runProcess } from '../../core/process';
import { coordHooks, exitOf, startUp, upState, waitFor, writeAgentScript } from '../../fixtures/conductor';
import { removeDir } from '../../fixtures/repo';
import { makeSetup, type Setup } from '../../fixtures/server';
import { findProgram } from '../../fixtures/transports/common';

jest.setTimeout(240000);

const TEAMS = ['fw', 'pm', 'qa'];

/** A "session" that waits at its prompt; a line announcing round N makes it do round N. */
function writeSession(path: string, agent: string, heard: string): string {
  writeFileSync(path, `#!/bin/sh
echo "session $TEAM ready"
while IFS= read -r line; do
  exec >> '${heard}'."$TEAM".out 2>&1
  echo "$line" >> '${heard}'."$TEAM"
  round=$(printf '%s\\n' "$line" | sed -n 's/^coord-hooks: round \\([0-9]*\\) is announced for .*/\\1/p')
  [ -n "$round" ] || continue
  branch="$TEAM/round-$round"
  git fetch -q origin && git checkout -q -b "$branch" --track "origin/$branch"
  ROUND=$round BRANCH=$branch ANNOUNCEMENT="rounds/$round/$TEAM/ANNOUNCEMENT.md" '${agent}'
done
`);
  chmodSync(path, 0o755);
  return path;
}

describe('up --interactive (tmux)', () => {
  let setup: Setup;
  afterAll(() => { if (setup) removeDir(setup.root); });

  test('one window per team; the announcement typed into each once; the sessions finish the round; up stops its tmux server', async () => {
    expect(findProgram('tmux') ?? 'tmux is not installed: bash scripts/system-deps.sh (or apt-get install tmux)').toMatch(/\/tmux$/);
    setup = await makeSetup();
    const heard = join(setup.root, 'heard');
    const session = writeSession(join(setup.root, 'session.sh'), writeAgentScript(join(setup.root, 'agent.sh')), heard);
    const architectLog = join(setup.root, 'architect.log');
    const up = startUp(setup.architect, ['--interactive', '--agent', session, '--workspaces', join(setup.root, 'teams'), '--on-round-complete', `echo "$ROUND $TEAMS" >> '${architectLog}'`,
      '--yes', '--interval', '0.3', '--until-round', '1'], join(setup.root, 'up.log'));
    const state = await waitFor('up to start conducting', () => { const s = upState(setup.architect); return s?.pid === up.process.pid && s; }, 120000, up.diagnostics);
    const socket = state.tmuxSession!;
    const windows = await runProcess('tmux', ['-L', socket, 'list-windows', '-a', '-F', '#{window_name}'], { env: setup.env });
    expect(windows.stdout.split('\n').filter(Boolean).sort()).toEqual(TEAMS);
    expect((await coordHooks(setup.architect, ['announce', '--team', TEAMS.join(','), '--round', '1', '-m', 'Round 1: interactive'])).code).toBe(0);

    const sessions = () => TEAMS.map((team) => [`${heard}.${team}`, `${heard}.${team}.out`].map((file) => `--- ${file} ---\n${existsSync(file) ? readFileSync(file, 'utf8') : '(none)'}`).join('\n')).join('\n');
    expect(await exitOf({ ...up, diagnostics: () => `${up.diagnostics()}\n${sessions()}` }, 150000)).toBe(0);
    for (const team of TEAMS) {
      const lines = readFileSync(`${heard}.${team}`, 'utf8').split('\n').filter(Boolean);
      expect(lines).toEqual([expect.stringMatching(new RegExp(`^coord-hooks: round 1 is announced for ${team}: read rounds/1/${team}/ANNOUNCEMENT.md on ${team}/round-1`))]);
      expect(setup.server.git(['show', `refs/heads/${team}/round-1:${team}/work-1.txt`])).toBe(`round 1 by ${team}`);
      expect(setup.server.tryGit(['rev-parse', '--verify', '-q', `refs/tags/round-1/done/${team}`]).code).toBe(0);
      // The session's hooks know the announcement as handed: the Stop hook does not hand it again.
      const handed = join(setup.root, 'teams', team, '.git', 'coord-hooks', 'claude-handed.json');
      expect(existsSync(handed) && Object.keys(JSON.parse(readFileSync(handed, 'utf8')) as object)).toEqual([`${team}/round-1`]);
      expect(readFileSync(join(setup.root, 'teams', team, '.claude', 'settings.local.json'), 'utf8')).toContain('claude-stop');
    }
    expect(readFileSync(architectLog, 'utf8')).toBe('1 fw pm qa\n');
    const outcomes = Object.values(upState(setup.architect)!.deliveries).map((delivery) => delivery.runs.map((run) => run.outcome).join()).sort();
    expect(outcomes).toEqual(['done', 'done', 'done']);
    // up's own tmux server is gone.
    expect((await runProcess('tmux', ['-L', socket, 'list-sessions'], { env: setup.env })).code).not.toBe(0);
  });
});
