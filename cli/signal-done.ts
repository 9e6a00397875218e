import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { remoteName } from '../policy/locate';
import { parseRound } from '../rounds/context';
import { signalDone } from '../rounds/signal';
import { defineCommand } from './command';

export default defineCommand<{ round?: string; team?: string; message?: string; 'no-push'?: boolean; remote?: string }>({
  name: 'signal-done',
  summary: 'Tag the tip of your team branch round-N/done/<team> (signed) and push branch and tag in one atomic push.',
  options: {
    round: { type: 'string', valueName: 'N', description: 'the round you finished (required)' },
    team: { type: 'string', description: 'your team (default: this clone\'s team, else the branch name <team>/…)' },
    message: { type: 'string', valueName: 'M', description: 'tag message (default: "round N done by T")' },
    'no-push': { type: 'boolean', description: 'only create the signed tag' },
    remote: { type: 'string', valueName: 'R', description: 'remote to push to (default: the clone\'s remote, origin)' },
  },
  details: `Run it on your team's branch (<team>/…). The tag is signed with the key git is configured to
use (see \`coord-hooks keys\`); the server accepts it only if that key is listed for the team on the protected
branch. Done-tags are immutable: an existing one (here or on the remote) is shown, never replaced.`,
  exitCodes: '0 tagged (and pushed) · 1 the tag already exists, or the server rejected the push · 2 usage or environment error (no signing key, wrong branch, remote unreachable)',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new CoordError('signal-done takes no positional arguments', { hint: 'run `coord-hooks signal-done --help`' });
    const round = parseRound(values.round, 'signal-done');
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const remote = values.remote ?? (await remoteName(repo));
      const result = await signalDone(repo, { round, team: values.team, message: values.message, push: !values['no-push'], remote, env: io.env, cwd: io.cwd, note: io.err });
      const where = `${result.tag} → ${result.target.slice(0, 10)} (tip of ${result.branch})`;
      if (!result.pushed) io.out(`created ${where}; not pushed. To push: git push --atomic ${remote} ${result.branch} refs/tags/${result.tag}\n`);
      else io.out(`round ${round} done for ${result.team}: pushed ${where}${result.pushedBranch ? ` with ${result.branch}` : ''} to ${remote}\n`);
      return 0;
    } finally {
      repo.close();
    }
  },
});
