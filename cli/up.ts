/** `coord-hooks up`: options and help only; the conductor is in conductor/. */
import { CoordError } from '../core/errors';
import { splitTeams } from './announce';
import { defineCommand } from './command';

export default defineCommand<{ teams?: string; agent?: string; interactive?: boolean; workspaces?: string; 'on-round-complete'?: string; yes?: boolean; interval?: string; 'until-round'?: string; remote?: string; status?: boolean; json?: boolean }>({
  name: 'up',
  summary: 'Architect: run the rounds. One workspace and one agent per team, each announcement handed once to its team\'s agent, the architect\'s command once per complete round, a live board; Ctrl-C stops.',
  options: {
    teams: { type: 'string', valueName: 'T[,T…]', description: 'the teams to conduct (default: every team of the policy)' },
    agent: { type: 'string', valueName: 'CMD', description: 'each team\'s agent command, sh -c in its workspace (default: coord.agent, else Claude Code)' },
    interactive: { type: 'boolean', description: 'one tmux window per team with a live session, told of each announcement (default: headless, one run per announcement)' },
    workspaces: { type: 'string', valueName: 'DIR', description: 'where the team clones live (default: <architect clone>-teams/ beside it)' },
    'on-round-complete': { type: 'string', valueName: 'CMD', description: 'the architect\'s command, run once per complete round (sh -c in this clone) with ROUND, TEAMS and REPLIES (a file) in its environment' },
    yes: { type: 'boolean', short: 'y', description: 'add the teams\' keys to the signers file without asking' },
    interval: { type: 'string', valueName: 'S', description: 'seconds between polls of the server (default: the pollInterval setting, else 5)' },
    'until-round': { type: 'string', valueName: 'N', description: 'stop once round N is complete and the architect\'s command has run' },
    remote: { type: 'string', valueName: 'R', description: 'the server remote (default: the clone\'s setting, else origin)' },
    status: { type: 'boolean', description: 'print the board once (rounds × teams, rejected pushes, each team\'s agent) and exit' },
    json: { type: 'boolean', description: 'with --status: the conductor\'s state as JSON' },
  },
  details: `Run in the architect's clone. Each team gets a workspace (a clone set up with install --team, a
signing key and install --claude); keys the protected branch does not list are added in one commit you
sign, after you confirm (or --yes). Headless, the agent runs once per announcement with TEAM, ROUND,
BRANCH, COMMIT and ANNOUNCEMENT (the announcement's file: its prompt) in its environment, on the round
branch, its output in <git dir>/coord-hooks/up/logs/<team>.log. An agent that ends without a reply or a
done-tag is reported, not retried; a killed or interrupted one is resumed by the next up. State lives
in <git dir>/coord-hooks/up/; a second up finds the running one. See docs/conductor.md.`,
  exitCodes: '0 stopped (Ctrl-C, coord-hooks down, --until-round) or board printed · 1 up is already running here (or, --status: it never ran) · 2 usage or environment error',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new CoordError(`up takes no positional arguments (got "${positionals[0]}")`, { hint: 'run `coord-hooks up --help`' });
    if (values.json && !values.status) throw new CoordError('--json goes with --status', { hint: 'coord-hooks up --status --json' });
    if (values.status) return (await import('../conductor/down')).upStatus(io, { json: Boolean(values.json) });
    const interval = values.interval === undefined ? undefined : Number(values.interval);
    if (interval !== undefined && !(interval > 0)) throw new CoordError(`--interval must be a positive number of seconds, not "${values.interval}"`);
    const untilRound = values['until-round'] === undefined ? undefined : Number(values['until-round']);
    if (untilRound !== undefined && !(Number.isInteger(untilRound) && untilRound > 0)) throw new CoordError(`--until-round must be a positive integer, not "${values['until-round']}"`);
    const seconds = interval ?? (await (await import('../policy/settings')).loadSettings(io.cwd)).settings.pollInterval;
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    try {
      const { up } = await import('../conductor/up');
      return await up({
        teams: values.teams ? splitTeams(values.teams) : undefined, agent: values.agent, mode: values.interactive ? 'interactive' : 'headless',
        workspaces: values.workspaces, onRoundComplete: values['on-round-complete'], yes: Boolean(values.yes), intervalMs: seconds * 1000,
        untilRound, remote: values.remote, signal: controller.signal,
      }, io);
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  },
});
