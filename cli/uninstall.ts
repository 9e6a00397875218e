/** `coord-hooks uninstall`: options and help only; the work is in hooks/install.ts. */
import { usageError } from '../core/errors';
import { formatUninstallSummary, uninstallCloneHooks, uninstallServerHooks } from '../hooks/install';
import { defineCommand } from './command';

export default defineCommand<{ server?: boolean; repo?: string; claude?: boolean; shared?: boolean }>({
  name: 'uninstall',
  summary: 'Remove coord-hooks\' git hooks from this clone, or with --server from a bare repository, and put chained hooks back.',
  options: {
    server: { type: 'boolean', description: 'remove the gate from a bare repository' },
    repo: { type: 'string', valueName: 'PATH', description: 'the bare repository for --server (default: the current directory)' },
    claude: { type: 'boolean', description: 'remove only coord-hooks\' Claude Code entries from .claude/settings.local.json (and old ones from .claude/settings.json)' },
    shared: { type: 'boolean', description: 'with --claude: remove the shared entries from .claude/settings.json instead' },
  },
  details: `Only scripts coord-hooks wrote (they carry its marker line) are removed; each <hook>.coord-hooks-chained
is renamed back to <hook>, byte for byte and mode included. Hooks that are not ours are left alone.
In a clone, \`git config coord-hooks.team\` is unset too.`,
  exitCodes: '0 uninstalled (or nothing to do) · 2 usage or environment error (not a repository, not bare with --server)',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw usageError(`uninstall takes no arguments (got "${positionals[0]}")`, 'run `coord-hooks uninstall --help`');
    if (values.claude) {
      const removals = await (await import('../hooks/claude-settings')).uninstallClaudeSettings(io.cwd, { shared: values.shared });
      for (const { settingsPath, action, notes } of removals) {
        io.out(`Claude Code: coord-hooks' entries ${action === 'removed' ? 'removed from' : 'were not in'} ${settingsPath}\n${notes.map((note) => `  ${note}\n`).join('')}`);
      }
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
