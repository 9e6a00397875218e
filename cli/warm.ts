/**
 * `coord-hooks warm status|stop|serve`: the warm gate process (docs/warm.md). `serve` is what a hook's
 * cold run starts; `status` and `stop` are for people. The work is in warm/.
 */
import { usageError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { defineCommand, type CommandIO } from './command';

async function commonDirOf(io: CommandIO, repoPath: string | undefined): Promise<string> {
  const repo = new GitRepo(repoPath ?? io.cwd, io.env);
  try {
    return await repo.commonDir();
  } finally {
    repo.close();
  }
}

async function serve(io: CommandIO, gitDir: string, idle: number): Promise<number> {
  const [{ serveWarm }, { warmPaths }, { CodeSnapshot }, { ownCli }, { HOOKS }, { runCli }, { WARM_HOOKS }, { packageInfo }] = await Promise.all([
    import('../warm/server'), import('../warm/paths'), import('../warm/staleness'), import('../warm/start'), import('./hook'), import('./run'),
    import('../hooks/template'), import('../core/package-info'),
  ]);
  // Everything a warm hook runs is loaded now, so the snapshot covers it and the first request is fast.
  await Promise.all([...WARM_HOOKS.map((hook) => HOOKS[hook]()), import('../policy/locate'), import('../policy/round-names'), import('../gate/scope'),
    import('../gate/commits'), import('../gate/messages'), import('../gate/push'), import('../hooks/guard-path'), import('../hooks/client/clone')]);
  // Config reads and the where-am-I rev-parse are kept while their files are unchanged (git/read-memo.ts).
  (await import('../git/read-memo')).keepReadsAcrossRuns();
  const loaded = () => Object.keys(require.cache);
  const code = new CodeSnapshot([...loaded(), `${packageInfo().root}/package.json`, process.execPath]);
  const started = await serveWarm({
    paths: warmPaths(gitDir), gitDir, idleMs: idle * 1000, maxInFlight: 4, node: process.execPath, cli: ownCli(),
    run: (argv, requestIo) => runCli(argv, requestIo), code, loaded,
    log: (line) => io.err(`${new Date().toISOString()} warm ${process.pid}: ${line}\n`),
  });
  if (!started) io.err(`${new Date().toISOString()} warm ${process.pid}: another process answers already; exiting\n`);
  return 0;
}

export default defineCommand<{ repo?: string; 'git-dir'?: string; idle?: string }>({
  name: 'warm',
  summary: 'The warm gate process: `status` (is one running for this repository), `stop`; `serve` is started by the hooks.',
  positionals: 'status|stop|serve',
  options: {
    repo: { type: 'string', valueName: 'PATH', description: 'the repository (default: the one holding the current directory; a bare one on a server)' },
    'git-dir': { type: 'string', valueName: 'DIR', description: 'serve: the repository\'s common git dir (the hooks pass it)' },
    idle: { type: 'string', valueName: 'SECONDS', description: 'serve: end after this many seconds without requests (default 900)' },
  },
  details: `Hooks (pre-commit, pre-push, pre-receive) and the Claude Code guard ask a long-lived coord-hooks
process of the repository through a small client, instead of starting node each time. When it is absent,
busy, stale (coord-hooks changed on disk) or switched off, or answers anything unexpected, the hook runs
cold, exactly as without it: the same verdict, the same messages. The first cold run starts it; it ends
after --idle seconds without requests (COORD_HOOKS_WARM_IDLE_SECONDS for the hooks, default 900).
Off: git config coord-hooks.warm false (then \`coord-hooks warm stop\`, or it ends at its next request), or
COORD_HOOKS_WARM=0 in the environment. See docs/warm.md.`,
  exitCodes: '0 done (status: also when none runs) · 2 usage or environment error',
  async run({ values, positionals }, io) {
    const [action, ...rest] = positionals;
    if (rest.length > 0 || !action || !['status', 'stop', 'serve'].includes(action)) throw usageError(`warm takes one of status, stop, serve (got "${positionals.join(' ')}")`, 'run `coord-hooks warm --help`');
    if (action === 'serve') {
      const idle = Number(values.idle ?? '900');
      if (!values['git-dir'] || !Number.isFinite(idle) || idle < 1) throw usageError('warm serve needs --git-dir DIR and --idle SECONDS (at least 1)', 'the hooks start it; see docs/warm.md');
      return serve(io, values['git-dir'], idle);
    }
    const [{ warmPaths }, control, { warmSetting }] = await Promise.all([import('../warm/paths'), import('../warm/control'), import('../warm/switch')]);
    const paths = warmPaths(await commonDirOf(io, values.repo));
    if (action === 'stop') {
      const answer = await control.control(paths.socket, '--stop');
      io.out(answer === 'stopped' ? `stopped the warm process of ${paths.socket}\n` : `no warm process answers on ${paths.socket}\n`);
      return 0;
    }
    const enabled = await warmSetting(values.repo ?? io.cwd, io.env);
    io.out(control.formatWarmReport(await control.warmReport(paths), enabled));
    return 0;
  },
});
