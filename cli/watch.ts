import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { cloneSetting, locatePolicy, remoteName, resolveTeam } from '../policy/locate';
import { runWatch } from '../rounds/watch-loop';
import { defineCommand } from './command';

export default defineCommand<{ team?: string; branch?: string; replies?: boolean; once?: boolean; exec?: string; interval?: string; remote?: string }>({
  name: 'watch',
  summary: 'Watch the remote for announcements on the team\'s round branches (or, with --replies, for every team\'s replies), print each new one, and run --exec for it.',
  options: {
    team: { type: 'string', description: 'watch <team>/round-* (default: this clone\'s team)' },
    branch: { type: 'string', valueName: 'B', description: 'watch exactly this branch, e.g. framework/round-5' },
    replies: { type: 'boolean', description: 'architect: watch REPLY.md on every team\'s round branches' },
    once: { type: 'boolean', description: 'exit after the current announcement, or the first one to arrive' },
    exec: { type: 'string', valueName: 'CMD', description: 'run CMD (sh -c) once per new message, with ROUND, BRANCH, TEAM, COMMIT and ANNOUNCEMENT (or REPLY), a file path, in its environment' },
    interval: { type: 'string', valueName: 'S', description: 'seconds between polls (default: the pollInterval setting, else 5)' },
    remote: { type: 'string', valueName: 'R', description: 'remote to poll (default: the clone\'s setting, else origin)' },
  },
  details: `Polling is one \`git ls-remote\` per interval; only branches that moved are fetched. What was seen is kept in
<git dir>/coord-hooks/watch-seen.json: --exec never runs twice for the same message commit, across restarts.
Without --once it runs until stopped (Ctrl-C).`,
  exitCodes: '0 stopped after --once delivered · 2 usage or environment error',
  async run({ values }, io) {
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const interval = values.interval === undefined ? undefined : Number(values.interval);
      if (interval !== undefined && !(interval > 0)) throw new CoordError(`--interval must be a positive number of seconds, not "${values.interval}"`);
      let patterns: string[];
      if (values.branch) patterns = [`refs/heads/${values.branch}`];
      else if (values.replies) patterns = ['refs/heads/*/round-*'];
      else {
        const { policy } = await locatePolicy(repo);
        patterns = [`refs/heads/${(await resolveTeam(repo, policy, values.team ?? (await cloneSetting(repo, 'team')))).name}/round-*`];
      }
      const seconds = interval ?? ((await (await import('../policy/settings')).loadSettings(io.cwd)).settings.pollInterval);
      return await runWatch(repo, {
        remote: values.remote ?? (await remoteName(repo)), patterns, kind: values.replies ? 'reply' : 'announcement',
        once: Boolean(values.once), exec: values.exec, intervalMs: seconds * 1000, gitDir: await repo.commonDir(),
      }, io);
    } finally {
      repo.close();
    }
  },
});
