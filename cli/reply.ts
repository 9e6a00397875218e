import { GitRepo } from '../git/repo';
import { locatePolicy } from '../policy/locate';
import { reply } from '../rounds/reply';
import { messageFrom } from './announce';
import { defineCommand } from './command';

export default defineCommand<{ message?: string; file?: string; team?: string; 'no-push'?: boolean }>({
  name: 'reply',
  summary: 'Team: answer the round\'s announcement. Commits rounds/N/<team>/REPLY.md (only that file) on the current round branch <team>/round-N and pushes it.',
  options: {
    message: { type: 'string', short: 'm', valueName: 'M', description: 'the reply text' },
    file: { type: 'string', short: 'F', valueName: 'F', description: 'read the reply from a file (- for stdin)' },
    team: { type: 'string', description: 'team (default: this clone\'s team, else the branch name)' },
    'no-push': { type: 'boolean', description: 'commit only' },
  },
  exitCodes: '0 replied · 1 the push was rejected (the reply stays committed) · 2 usage or environment error',
  async run({ values }, io) {
    const message = messageFrom(values, io.cwd);
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const { policy } = await locatePolicy(repo);
      const result = await reply(repo, policy, { message, team: values.team, push: !values['no-push'] });
      io.out(`replied: ${result.path} in ${result.commit.slice(0, 10)} on ${result.branch}${result.pushed ? ' (pushed)' : ' (not pushed)'}\n`);
      return 0;
    } finally {
      repo.close();
    }
  },
});
