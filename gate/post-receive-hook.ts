/** The server's post-receive: logs accepted pushes. It cannot block; it must not fail loudly either. */
import type { CommandIO } from '../core/io';
import { errorMessage } from '../core/errors';
import { readAll } from '../core/stream';
import { GitRepo } from '../git/repo';
import { appendAudit } from '../core/audit';
import { hostPusher } from '../trust/identity';
import { parseUpdates } from './push';
import { loadPolicyFromTree } from '../policy/load-tree';
import { announceCompletion, completedRounds } from './round-complete';
import { hookGitDir, readServerSettings } from './server-settings';

/** The pusher for the log line; null when the host names none, or names two (pre-receive judged that). */
function auditPusher(env: NodeJS.ProcessEnv): string | null {
  try {
    return hostPusher(env)?.name ?? null;
  } catch {
    return null;
  }
}

export async function runPostReceive(_args: string[], io: CommandIO): Promise<number> {
  const repo = new GitRepo(io.cwd, io.env);
  try {
    const updates = parseUpdates(await readAll(io.stdin));
    const gitDir = await hookGitDir(repo);
    appendAudit(gitDir, { time: new Date().toISOString(), event: 'accepted', pusher: auditPusher(io.env), refs: updates }, io.err);
    if (updates.some((update) => update.ref.startsWith('refs/tags/round-'))) {
      const settings = await readServerSettings(repo);
      const tip = await repo.resolve(`refs/heads/${settings.policyBranch}^{commit}`);
      if (tip) {
        const { policy } = await loadPolicyFromTree(repo, tip, gitDir);
        announceCompletion(gitDir, policy, await completedRounds(repo, policy, updates), io.env, io.err);
      }
    }
    return 0;
  } catch (error) {
    io.err(`coord-hooks: warning: post-receive: ${errorMessage(error)}\n`);
    return 0;
  } finally {
    repo.close();
  }
}
