import { GitRepo } from '../git/repo';
import { collectStatus, formatStatus } from '../rounds/status';
import { defineCommand } from './command';

export default defineCommand<{ json?: boolean; 'no-fetch'?: boolean; remote?: string }>({
  name: 'status',
  summary: 'The architect\'s view from git alone: per round and team, announced, replied, done (signer, time) or pending; the last activity per team; on the server, rejected pushes from the audit log.',
  options: {
    json: { type: 'boolean', description: 'machine-readable output' },
    'no-fetch': { type: 'boolean', description: 'in a clone: use what was fetched already' },
    remote: { type: 'string', valueName: 'R', description: 'remote to fetch from (default: the clone\'s setting, else origin)' },
  },
  details: 'Run in a clone (it fetches the remote\'s branches and round tags first) or in the bare server repository.',
  exitCodes: '0 status printed (whatever it says: pending teams are not an error) · 2 usage, policy or environment error (not a repository, no policy, the remote cannot be fetched)',
  async run({ values }, io) {
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const { report, note } = await collectStatus(repo, { remote: values.remote, fetch: !values['no-fetch'], env: io.env });
      if (note) io.err(note);
      io.out(values.json ? JSON.stringify(report, null, 2) + '\n' : formatStatus(report));
      return 0;
    } finally {
      repo.close();
    }
  },
});
