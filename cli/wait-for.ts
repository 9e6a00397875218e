import { CoordError, ExitCode } from '../core/errors';
import { GitRepo } from '../git/repo';
import { remoteName } from '../policy/locate';
import { parseRound } from '../rounds/context';
import { formatSeconds, waitForRound } from '../rounds/wait';
import { defineCommand } from './command';

function seconds(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !(value > 0)) throw new CoordError(`--${option} must be a positive number of seconds, not "${text}"`, { hint: `e.g. --${option} 600` });
  return value * 1000;
}

export default defineCommand<{ round?: string; timeout?: string; interval?: string; remote?: string }>({
  name: 'wait-for',
  summary: 'Wait until the listed teams have pushed valid signed done-tags for a round (the barrier).',
  positionals: '[TEAM…]',
  options: {
    round: { type: 'string', valueName: 'N', description: 'the round to wait for (required)' },
    timeout: { type: 'string', valueName: 'SECONDS', description: 'give up after this long, exit 1 (default: wait forever)' },
    interval: { type: 'string', valueName: 'SECONDS', description: 'seconds between polls (default: pollInterval of the settings, 5)' },
    remote: { type: 'string', valueName: 'R', description: 'remote to poll (default: the clone\'s remote, origin)' },
  },
  details: `TEAM… default to the round's expected teams (all teams, or the "expect:" line of the tag
round-<N>/start). Each poll is one \`git ls-remote\`; new tags are fetched and verified against the keys
on the protected branch. An unreachable remote is retried with backoff (doubling up to 30s). See docs/rounds.md.`,
  exitCodes: '0 every team is done · 1 timed out (the pending teams are named) · 2 usage, policy or environment error',
  async run({ values, positionals }, io) {
    const round = parseRound(values.round, 'wait-for');
    const timeoutMs = seconds(values.timeout, 'timeout');
    let intervalMs = seconds(values.interval, 'interval');
    if (intervalMs === undefined) intervalMs = (await (await import('../policy/settings')).loadSettings(io.cwd)).settings.pollInterval * 1000;
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const remote = values.remote ?? (await remoteName(repo));
      const result = await waitForRound(repo, { round, teams: positionals, remote, timeoutMs, intervalMs, env: io.env, out: io.out, isTTY: io.isTTY });
      if (result.ok) {
        io.out(`round ${round}: all done (${[...result.done.keys()].join(', ')}) after ${formatSeconds(Math.round(result.elapsedMs / 100) * 100)}\n`);
        return 0;
      }
      const pending = result.pending.length ? result.pending.join(', ') : 'every team (the remote was never reached)';
      io.out(`timed out after ${formatSeconds(timeoutMs ?? 0)} waiting for round ${round}; still pending: ${pending}\n`);
      throw new ExitCode(1);
    } finally {
      repo.close();
    }
  },
});
