/** `coord-hooks uninstall`: options and help only; the work is in hooks/install.ts. */
import { usageError } from '../core/errors';
import { formatUninstallSummary, uninstallCloneHooks, uninstallServerHooks } from '../hooks/install';
import { defineCommand } from './command';

export default defineCommand<{ server?: boolean; repo?: string; claude?: boolean }>({
  name: 'uninstall',
  summary: 'Remove coord-hooks\' git hooks from this clone, or with --server from a bare repository, and put chained hooks back.',
  options: {
    server: { type: 'boolean', description: 'remove the gate from a bare repository' },
    repo: { type: 'string', valueName: 'PATH', description: 'the bare repository for --server (default: the current directory)' },
    claude: { type: 'boolean', description: 'remove only the Claude Code guard entry from .claude/settings.json' },
  },
  details: `Only scripts coord-hooks wrote (they carry its marker line) are removed; each <hook>.coord-hooks-chained
is renamed back to <hook>, byte for byte and mode included. Hooks that are not ours are left alone.
In a clone, \`git config coord-hooks.team\` is unset too.`,
  exitCodes: '0 uninstalled (or nothing to do) · 2 usage or environment error (not a repository, not bare with --server)',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw usageError(`uninstall takes no arguments (got "${positionals[0]}")`, 'run `coord-hooks uninstall --help`');
    if (values.claude) {
      const { settingsPath, action } = await (await import('../hooks/claude-settings')).uninstallClaudeGuard(io.cwd);
      io.out(`Claude Code guard: ${action === 'removed' ? 'removed from' : 'was not in'} ${settingsPath}\n`);
      return 0;
    }
    if (values.server) {
      io.out(formatUninstallSummary(await uninstallServerHooks(values.repo ?? io.cwd, { env: io.env })));
      return 0;
    }
    if (values.repo !== undefined) throw usageError('--repo goes with --server', 'run `coord-hooks uninstall --server --repo PATH`, or `coord-hooks uninstall` inside a clone');
    io.out(formatUninstallSummary(await uninstallCloneHooks(io.cwd, { env: io.env })));
    return 0;
  },
});
