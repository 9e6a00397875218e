import { CoordError, ExitCode } from '../core/errors';
import { GitRepo } from '../git/repo';
import { locatePolicy, resolveTeam } from '../policy/locate';
import { loadRoundContext } from '../rounds/context';
import { keysReport } from '../rounds/keys';
import { defineCommand } from './command';

export default defineCommand<{ team?: string; create?: boolean; format?: string }>({
  name: 'keys',
  summary: 'Show the key this clone signs round tags with, and the line the architect must add to the signers file.',
  options: {
    team: { type: 'string', description: 'the team (default: this clone\'s team, else the branch name <team>/…)' },
    create: { type: 'boolean', description: 'generate ~/.ssh/coord-hooks-<team>-<repository id>_ed25519 (reused when an earlier --create made it for this team and repository; never overwritten) and configure this clone to sign with it' },
    format: { type: 'string', valueName: 'ssh|openpgp', description: 'the kind of key to show instructions for (default: git config gpg.format)' },
  },
  details: `SSH keys are listed in the allowed-signers file (coord.signers, default .coord/allowed_signers) as
  <team> namespaces="git" <public key>
OpenPGP keys are committed as .coord/openpgp/<team>.asc. Only the architect may change either, on the
protected branch. The repository id in the key's name is the first 8 hex digits of the protected
branch's root commit (same in every clone of the project), so two projects with a team of the same name
get different keys. See docs/rounds.md.`,
  exitCodes: '0 a signing key is configured · 1 no usable signing key in this clone · 2 usage or environment error',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new CoordError('keys takes no positional arguments', { hint: 'run `coord-hooks keys --help`' });
    if (values.format !== undefined && values.format !== 'ssh' && values.format !== 'openpgp') {
      throw new CoordError(`--format must be ssh or openpgp, not "${values.format}"`);
    }
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const { policy } = await locatePolicy(repo);
      const team = await resolveTeam(repo, policy, values.team);
      const context = await loadRoundContext(repo).catch(() => null);
      const signers = context ? { ...context.signers, source: context.source, file: context.policy.coord.signers } : null;
      const report = await keysReport(repo, { team: team.name, create: Boolean(values.create), format: values.format as 'ssh' | 'openpgp' | undefined, env: io.env, cwd: io.cwd, signers });
      io.out(report.text);
      if (!report.ok) throw new ExitCode(1);
      return 0;
    } finally {
      repo.close();
    }
  },
});
