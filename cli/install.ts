/** `coord-hooks install`: options and help only; the work is in hooks/install.ts. */
import { usageError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { formatInstallSummary, installCloneHooks, installServerHooks } from '../hooks/install';
import type { WarmHookPaths } from '../hooks/template';
import { defineCommand, type CommandIO } from './command';

/** Builds the repository's warm client (warm/client-build.ts); without a C compiler the hooks stay cold and install says so. */
function warmClient(env: NodeJS.ProcessEnv): (commonDir: string) => Promise<WarmHookPaths | { note: string }> {
  return async (commonDir) => (await import('../warm/client-build')).prepareWarmClient(commonDir, env);
}

/**
 * `install --claude`: the guard (it also guards reads when the team's read scope is narrower than
 * everything), the SessionStart hook and, on request, the Stop hook, into .claude/settings.local.json.
 */
async function installClaude(io: CommandIO, teamName: string | undefined, waitForAnnouncements: boolean): Promise<string> {
  const repo = new GitRepo(io.cwd, io.env);
  try {
    const [{ locatePolicy, resolveTeam }, settings] = await Promise.all([import('../policy/locate'), import('../hooks/claude-settings')]);
    const { policy } = await locatePolicy(repo);
    const team = await resolveTeam(repo, policy, teamName);
    if (teamName) await repo.configSet('coord-hooks.team', team.name);
    const warm = await warmClient(io.env)(await repo.commonDir());
    const where = 'note' in warm ? undefined : { ...(await import('../hooks/claude-command')).thisCli(), warm };
    const summary = await settings.installClaudeForTeam(io.cwd, policy, team, { waitForAnnouncements, where });
    return settings.formatClaudeSummary(summary);
  } finally {
    repo.close();
  }
}

export default defineCommand<{ team?: string; server?: boolean; repo?: string; claude?: boolean; shared?: boolean; 'wait-for-announcements'?: boolean }>({
  name: 'install',
  summary: 'Install coord-hooks\' git hooks: early-feedback hooks in this clone, or with --server the gate in a bare repository.',
  options: {
    team: { type: 'string', valueName: 'T', description: 'this clone\'s team, stored as `git config coord-hooks.team`; a team the policy does not declare is refused (exit 2)' },
    server: { type: 'boolean', description: 'install the gate (pre-receive, post-receive) into a bare repository' },
    repo: { type: 'string', valueName: 'PATH', description: 'the bare repository for --server (default: the current directory)' },
    claude: { type: 'boolean', description: 'register the Claude Code guard and SessionStart hook in .claude/settings.local.json (merged, never clobbered; kept out of git)' },
    shared: { type: 'boolean', description: 'with --claude: write portable entries into .claude/settings.json instead, for the architect to commit' },
    'wait-for-announcements': { type: 'boolean', description: 'with --claude: also register a Stop hook that hands the session a new announcement instead of letting it stop' },
  },
  details: `In a clone (from any subdirectory, a linked worktree or a submodule): pre-commit, pre-push,
post-merge and reference-transaction go into the directory git runs hooks from (core.hooksPath when it
is set). With --server: pre-receive and post-receive go into the bare repository; they are the guarantee.
A hook that is already there and is not ours is kept as <hook>.coord-hooks-chained and runs first.
Re-running is safe. The scripts record the absolute paths of node and of this coord-hooks: re-run after
moving or upgrading either. npm never runs this for you: it is the explicit step. See docs/install.md.
With --claude: Claude Code's PreToolUse guard and SessionStart hook go into <top>/.claude/settings.local.json
(merged; the file is added to .git/info/exclude); --wait-for-announcements adds a Stop hook; --shared
writes portable entries into .claude/settings.json for the architect to commit. See docs/agents.md.`,
  exitCodes: '0 installed · 2 usage or environment error (not a repository, not bare with --server, --team not in the policy, a conflicting chained hook, node or the CLI missing)',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw usageError(`install takes no arguments (got "${positionals[0]}")`, 'run `coord-hooks install --help`');
    if ((values.shared || values['wait-for-announcements']) && !values.claude) throw usageError('--shared and --wait-for-announcements go with --claude', 'run `coord-hooks install --claude --shared`');
    if (values.claude) {
      if (values.server) throw usageError('--claude is for clones, not --server', 'run `coord-hooks install --claude` in each agent\'s clone');
      if (values.shared) {
        if (values.team !== undefined || values['wait-for-announcements']) throw usageError('--shared writes one file for every team: no --team, no --wait-for-announcements', 'run `coord-hooks install --claude --shared`, then per clone `coord-hooks install --team T`');
        const settings = await import('../hooks/claude-settings');
        io.out(settings.formatClaudeSummary(await settings.installSharedClaudeSettings(io.cwd)));
        return 0;
      }
      io.out(await installClaude(io, values.team, Boolean(values['wait-for-announcements'])));
      return 0;
    }
    if (values.server) {
      if (values.team !== undefined) throw usageError('--team is for clones, not --server', 'teams push to the server; run `coord-hooks install --team T` in each team\'s clone');
      io.out(formatInstallSummary(await installServerHooks(values.repo ?? io.cwd, { env: io.env, warm: warmClient(io.env) })));
      return 0;
    }
    if (values.repo !== undefined) throw usageError('--repo goes with --server', 'run `coord-hooks install --server --repo PATH`, or `coord-hooks install` inside a clone');
    io.out(formatInstallSummary(await installCloneHooks(io.cwd, { env: io.env, team: values.team, warm: warmClient(io.env) })));
    return 0;
  },
});
