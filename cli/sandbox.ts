import { homedir } from 'os';
import { dirname, resolve } from 'path';
import { usageError } from '../core/errors';
import { packageInfo } from '../core/package-info';
import { GitRepo } from '../git/repo';
import { bwrapArgs, BWRAP, checkBwrap, runBwrap, shellQuote } from '../sandbox/bwrap';
import { makeLayout } from '../sandbox/layout';
import { planForClone } from '../sandbox/locate';
import { localRemoteGitDirs } from '../sandbox/remotes';
import { defineCommand } from './command';

export default defineCommand<{ team?: string; print?: boolean; 'allow-write'?: string[] }>({
  name: 'sandbox',
  summary: 'Run CMD under bubblewrap so that it, and every program it starts, can write only the team\'s scope (and what git needs to commit and push).',
  positionals: '-- CMD [ARGS...]',
  options: {
    team: { type: 'string', description: 'the team whose scope applies (default: git config coord-hooks.team)' },
    print: { type: 'boolean', description: 'print the bwrap command line and the notes instead of running CMD' },
    'allow-write': { type: 'string', multiple: true, valueName: 'PATH', description: 'also let CMD write PATH, an absolute path outside the repository (e.g. ~/.claude for Claude Code); repeatable' },
  },
  details: `
Read-only: the whole file system, $HOME, the repository (new top-level files included), policy
files, .claude/, .coord/, the git hooks and config. Writable: the team's plain write patterns, the
git directory (objects, refs, index: commit, fetch, push), local-path remotes (not their hooks or
config), a private /tmp. The network is kept. Patterns with wildcards cannot become paths: the
guard and the git hooks stay the layer for them (listed as notes). The policy is read from the
protected branch, as the server does. See docs/sandbox.md.`,
  exitCodes: 'CMD\'s own exit code (128+N when signal N ended it) · 2 usage, policy or environment error (no bubblewrap, not Linux, no team) before CMD ran',
  async run({ values, positionals }, io) {
    if (positionals.length === 0 && !values.print) {
      throw usageError('sandbox needs a command to run', 'coord-hooks sandbox --team T -- CMD [ARGS...]');
    }
    const repo = new GitRepo(io.cwd, io.env);
    let run;
    let notes: string[];
    try {
      const { plan } = await planForClone(repo, values.team);
      const remoteGitDirs = (await localRemoteGitDirs(repo, plan.top));
      const home = io.env.HOME ?? homedir();
      // A program named by its path stays visible when it lies under /tmp (the sandbox's /tmp is private),
      // and so do coord-hooks itself and node: the clone's git hooks run them inside the sandbox.
      const program = positionals[0]?.includes('/') ? [resolve(io.cwd, positionals[0])] : [];
      const ourselves = [packageInfo().root, dirname(process.execPath)];
      const layout = makeLayout(plan, { home, remoteGitDirs, extraWritable: values['allow-write'], extraReadOnly: [...program, ...ourselves], dryRun: values.print });
      notes = [
        ...layout.notes,
        ...plan.inexpressible.map((entry) => `"${entry.pattern}" ${entry.why}`),
      ];
      run = { layout, cwd: io.cwd, command: positionals, setEnv: { COORD_HOOKS_SANDBOX: plan.team } };
    } finally {
      repo.close();
    }
    if (values.print) {
      io.out(`${[BWRAP, ...bwrapArgs(run)].map(shellQuote).join(' ')}\n`);
      for (const note of notes) io.err(`coord-hooks sandbox: note: ${note}\n`);
      return 0;
    }
    await checkBwrap(io.env);
    for (const note of notes) io.err(`coord-hooks sandbox: note: ${note}\n`);
    return runBwrap(run, io.env);
  },
});
