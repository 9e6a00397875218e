import { existsSync, mkdirSync, readdirSync } from 'fs';
import { resolve } from 'path';
import { CoordError } from '../core/errors';
import { defineCommand } from './command';

export default defineCommand<{ dir?: string; keep?: boolean }>({
  name: 'demo',
  summary: 'Play one whole round on throwaway repositories (a bare server with the gate, an architect, three teams with their own keys), narrating each step. Needs nothing but this package, git and ssh-keygen.',
  options: {
    dir: { type: 'string', valueName: 'D', description: 'build the repositories in D (must be empty or absent; default: a temporary directory)' },
    keep: { type: 'boolean', description: 'keep the repositories and print where they are, to explore' },
  },
  exitCodes: '0 the story played to the end · 2 something failed (the message says what)',
  async run({ values }, io) {
    const [{ tempDir, removeDir }, { playDemo }] = await Promise.all([import('../fixtures/repo'), import('../demo/story')]);
    let root: string;
    if (values.dir) {
      root = resolve(io.cwd, values.dir);
      if (existsSync(root) && readdirSync(root).length > 0) throw new CoordError(`--dir ${values.dir} is not empty`, { hint: 'name a new or empty directory' });
      mkdirSync(root, { recursive: true });
    } else {
      root = tempDir('coord-hooks-demo-');
    }
    const keep = values.keep || values.dir !== undefined;
    try {
      await playDemo(root, io, (await import('./run')).runCli);
    } finally {
      if (keep) {
        io.out(`\nEverything is in ${root}:\n  server.git/   the bare repository with the gate (audit log: server.git/coord-hooks/audit.jsonl)\n  architect/    the architect's clone\n  fw/ pm/ qa/   the teams' clones (hooks installed; keys under home/)\nTry: cd ${root}/fw && HOME=${root}/home git log --graph --oneline --all\n`);
      } else {
        removeDir(root);
      }
    }
    return 0;
  },
});
