import { existsSync, writeFileSync } from 'fs';
import { resolve } from 'path';
import { CoordError, errorMessage } from '../core/errors';
import { GitRepo } from '../git/repo';
import { collectStatus } from '../rounds/status';
import { buildBoard, loadAudit } from '../report/board';
import { renderHtml } from '../report/html';
import { formatTerminal, wantsFancy } from '../report/terminal';
import { defineCommand } from './command';

export default defineCommand<{ html?: string; json?: boolean; 'no-fetch'?: boolean; remote?: string; audit?: string }>({
  name: 'report',
  summary: 'The rounds board: rounds × teams (done with signer, replied, announced, pending, invalid), rejected pushes per team and a timeline; in the terminal, as JSON, or as one self-contained HTML file.',
  options: {
    html: { type: 'string', valueName: 'FILE', description: 'also write the report as one self-contained HTML file (- for stdout)' },
    json: { type: 'boolean', description: 'print the board as JSON: {generated, source, teams, rounds, lastActivity, rejected, timeline}' },
    'no-fetch': { type: 'boolean', description: 'in a clone: use what was fetched already' },
    remote: { type: 'string', valueName: 'R', description: 'remote to fetch from (default: the clone\'s setting, else origin)' },
    audit: { type: 'string', valueName: 'PATH', description: 'read rejected pushes from this audit log (audit.jsonl, or a bare repository); default: the server\'s own, when run there' },
  },
  details: `Run in a clone (it fetches the remote's branches and round tags first) or in the bare server
repository. Rejected pushes and round completions come from the gate's audit log
(<server>/coord-hooks/audit.jsonl). See docs/report.md.`,
  exitCodes: '0 report printed (whatever it says) · 2 usage or environment error (not a repository, no policy, unreadable audit log, cannot write FILE)',
  async run({ values, positionals }, io) {
    if (positionals.length > 0) throw new CoordError('report takes no positional arguments', { hint: 'run `coord-hooks report --help`' });
    const auditOption = values.audit === undefined ? undefined : resolve(io.cwd, values.audit);
    if (auditOption !== undefined && !existsSync(auditOption)) throw new CoordError(`report: no audit log at ${auditOption}`, { hint: 'pass the server\'s coord-hooks/audit.jsonl or the bare repository' });
    const repo = new GitRepo(io.cwd, io.env);
    try {
      const { report: status, teams, server, gitDir, note } = await collectStatus(repo, { remote: values.remote, fetch: !values['no-fetch'], env: io.env });
      if (note) io.err(note);
      let audit = null;
      try {
        audit = auditOption ? loadAudit(auditOption) : server ? loadAudit(gitDir) : null;
      } catch (error) {
        throw new CoordError(`report: cannot read the audit log ${auditOption ?? gitDir}: ${errorMessage(error)}`);
      }
      const board = await buildBoard(repo, status, { teams, audit: audit?.records ?? null, auditSource: audit?.file });
      if (values.html !== undefined) {
        const html = renderHtml(board);
        if (values.html === '-') {
          io.out(html);
          return 0;
        }
        const file = resolve(io.cwd, values.html);
        try {
          writeFileSync(file, html);
        } catch (error) {
          throw new CoordError(`report: cannot write ${file}: ${errorMessage(error)}`);
        }
        if (!values.json) io.out(`${formatTerminal(board, { fancy: wantsFancy(io.isTTY, io.env) })}\nHTML report: ${file}\n`);
      }
      if (values.json) io.out(JSON.stringify(board, null, 2) + '\n');
      else if (values.html === undefined) io.out(formatTerminal(board, { fancy: wantsFancy(io.isTTY, io.env) }));
      return 0;
    } finally {
      repo.close();
    }
  },
});
