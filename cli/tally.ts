import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { parseRound } from '../rounds/context';
import { formatTally, tallyJson } from '../rounds/tally-format';
import { tallyRounds } from '../rounds/tally';
import { defineCommand } from './command';

export default defineCommand<{ round?: string; json?: boolean; remote?: string }>({
  name: 'tally',
  summary: 'Which teams have signalled each round done: valid signed done-tags, pending teams, tags that do not verify.',
  options: {
    round: { type: 'string', valueName: 'N', description: 'only round N (also lists it when no team is done yet)' },
    json: { type: 'boolean', description: 'print {"rounds": [{round, complete, expected, teams: {T: {state, signer, time, target, tag, detail}}, extra}]}' },
    remote: { type: 'string', valueName: 'R', description: 'first fetch the round tags and the protected branch from remote R (name or URL)' },
  },
  details: `Expected teams: every team of the policy, unless the annotated tag round-<N>/start has a line
"expect: fw pm". Signatures are checked against the keys on the protected branch (.coord/allowed_signers,
.coord/openpgp/<team>.asc); verdicts are cached by tag object id in the git directory. See docs/rounds.md.`,
  exitCodes: '0 tally printed (whatever it says) · 2 usage, policy or environment error',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new CoordError('tally takes no positional arguments', { hint: 'run `coord-hooks tally --help`' });
    const round = values.round === undefined ? undefined : parseRound(values.round, 'tally');
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const result = await tallyRounds(repo, { round, remote: values.remote, env: io.env });
      io.out(values.json ? tallyJson(result) : formatTally(result));
      return 0;
    } finally {
      repo.close();
    }
  },
});
