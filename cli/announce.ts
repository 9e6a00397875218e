import { readFileSync } from 'fs';
import { resolve } from 'path';
import { CoordError } from '../core/errors';
import { GitRepo } from '../git/repo';
import { remoteName } from '../policy/locate';
import { announce } from '../rounds/announce';
import { parseRound } from '../rounds/context';
import { defineCommand } from './command';

export const splitTeams = (text: string) => text.split(/[\s,]+/).filter(Boolean);

export function messageFrom(values: { message?: string; file?: string }, cwd: string): string {
  if ((values.message === undefined) === (values.file === undefined)) throw new CoordError('give exactly one of --message M or --file F', { hint: 'run with --help' });
  if (values.message !== undefined) return values.message;
  try {
    return readFileSync(values.file === '-' ? 0 : resolve(cwd, values.file!), 'utf8');
  } catch (error) {
    throw new CoordError(`cannot read ${values.file}: ${(error as Error).message}`);
  }
}

export default defineCommand<{ team?: string; round?: string; message?: string; file?: string; expect?: string; remote?: string }>({
  name: 'announce',
  summary: 'Architect: announce round N to teams. Each team gets rounds/N/<team>/ANNOUNCEMENT.md committed on its branch <team>/round-N (created from the protected branch, or updated), signed with the architect\'s key; one atomic push.',
  options: {
    team: { type: 'string', valueName: 'T[,T…]', description: 'teams to announce to (one branch each)' },
    round: { type: 'string', valueName: 'N', description: 'the round, a positive integer' },
    message: { type: 'string', short: 'm', valueName: 'M', description: 'the announcement text' },
    file: { type: 'string', short: 'F', valueName: 'F', description: 'read the announcement from a file (- for stdin)' },
    expect: { type: 'string', valueName: 'TEAMS', description: 'teams the round waits for (default: every team); recorded in the signed tag round-N/start' },
    remote: { type: 'string', valueName: 'R', description: 'remote to push to (default: the clone\'s setting, else origin)' },
  },
  exitCodes: '0 announced (or nothing to change) · 1 the server rejected the push, or this clone\'s key is not an architect\'s (nothing was announced) · 2 usage, policy or environment error (no such team, no architect signing key, the remote cannot be reached)',
  details: 'In ref and signature identity modes the architect needs a signing key: the gate accepts ANNOUNCEMENT.md on a team branch only in a commit signed by an architect key.',
  async run({ values }, io) {
    const round = parseRound(values.round, 'announce');
    if (!values.team) throw new CoordError('announce needs --team T[,T…]', { hint: 'run `coord-hooks announce --help`' });
    const message = messageFrom(values, io.cwd);
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const result = await announce(repo, {
        teams: splitTeams(values.team), round, message, expect: values.expect ? splitTeams(values.expect) : undefined,
        remote: values.remote ?? (await remoteName(repo)), env: io.env, cwd: io.cwd,
      });
      for (const entry of result.branches) {
        io.out(`${entry.changed ? 'announced' : 'unchanged'}: ${entry.branch} ${entry.commit.slice(0, 10)}\n`);
      }
      io.out(`round ${round} start tag: ${result.startTag}${result.signed ? '' : ' (unsigned: pusher identity mode)'}\n`);
      return 0;
    } finally {
      repo.close();
    }
  },
});
