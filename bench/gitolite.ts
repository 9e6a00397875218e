/**
 * The peer: gitolite3's VREF/NAME with the same scope (team fw may write only fw/), driven locally as
 * gitolite's own tests do (fixtures/transports/gitolite.ts: `gitolite setup` under a temporary HOME,
 * pushes through a stand-in for sshd that execs `gitolite-shell <user>` with SSH_ORIGINAL_COMMAND).
 *
 * What is timed: gitolite's hook work, as receive-pack records it. `trace2.eventTarget` in the
 * hosting user's ~/.gitconfig (the only config trace2 reads besides the system one) makes every git
 * process of the server write its events; the receive-pack's child_exit of each `"child_class":"hook"`
 * child gives the hook's elapsed time. With VREF/NAME that is the `update` hook: per ref, it loads the
 * compiled rules, runs `git diff --name-only OLD NEW` and checks every path against the rules.
 *
 * gitolite compares a NEW branch against the empty tree (VREF/NAME's whole-tree false positive,
 * docs/threat-model.md), which rejects any new team branch of a repository with files outside fw/.
 * So that the peer does the same work as coord-hooks and accepts the push, its branch exists at
 * main's tip before each push, and its diff lists exactly the files the push writes.
 */
import { readdirSync, rmSync, mkdirSync } from 'fs';
import { join } from 'path';
import { gitolitePrograms, startGitolite, type GitoliteServer } from '../fixtures/transports/gitolite';
import { Repo } from '../fixtures/repo';
import { gitSync } from '../git/run';
import { uninstallServerHooks } from '../hooks/install';
import { hookTimings } from './measure';

export function gitoliteMissing(): string[] {
  return gitolitePrograms().missing;
}

const CONF = (repos: string[]) => `repo gitolite-admin
    RW+                     =   admin

repo ${repos.join(' ')}
    RW+                     =   admin
    RW+     fw/             =   fw
    RW+     VREF/NAME/fw/   =   fw
    -       VREF/NAME/      =   fw
`;

export class GitolitePeer {
  private constructor(readonly server: GitoliteServer, readonly root: string, readonly env: NodeJS.ProcessEnv, readonly traceDir: string) {}

  /** gitolite with one repository per name, each with the rules above; no coord-hooks hook in them. */
  static async create(root: string, env: NodeJS.ProcessEnv, repos: string[]): Promise<GitolitePeer> {
    const server = await startGitolite({ root, env, users: ['admin'], repo: repos[0] });
    // startGitolite installs coord-hooks' gate for the transport tests; the peer runs gitolite alone.
    await uninstallServerHooks(server.repoDir, { env });
    const admin = new Repo(join(root, 'gitolite-admin'), env);
    admin.commit('bench: VREF/NAME scope for fw', { 'conf/gitolite.conf': CONF(repos) });
    const pushed = admin.tryGit(['push', '-q', 'origin', 'HEAD']);
    if (pushed.code !== 0) throw new Error(`pushing gitolite-admin failed:\n${pushed.stderr}`);
    for (const name of repos) {
      gitSync(['symbolic-ref', 'HEAD', 'refs/heads/main'], { cwd: GitolitePeer.repoDirOf(server, name), env });
    }
    const traceDir = join(root, 'gitolite-trace2');
    return new GitolitePeer(server, root, env, traceDir);
  }

  private static repoDirOf(server: GitoliteServer, name: string): string {
    return join(server.home, 'repositories', `${name}.git`);
  }

  repoDir(name: string): string {
    return GitolitePeer.repoDirOf(this.server, name);
  }

  /** Seeds a repository from `source` (hosting-side set-up, not timed): its main and `refs` (name → oid). */
  seed(name: string, source: string, refs: Record<string, string>): void {
    const dir = this.repoDir(name);
    gitSync(['fetch', '-q', '--no-tags', source, '+refs/heads/main:refs/heads/main'], { cwd: dir, env: this.env });
    for (const [ref, oid] of Object.entries(refs)) gitSync(['update-ref', ref, oid], { cwd: dir, env: this.env });
  }

  private setTrace(on: boolean): void {
    const config = join(this.server.home, '.gitconfig');
    if (on) gitSync(['config', '--file', config, 'trace2.eventTarget', this.traceDir], { cwd: this.root, env: this.env });
    else gitSync(['config', '--file', config, '--unset', 'trace2.eventTarget'], { cwd: this.root, env: this.env, okCodes: [5] });
  }

  /**
   * One push of `tip` to `ref` as user fw from `client`; `ref` is put back to `base` first. Returns the
   * total time of the server's hooks (ms) as its receive-pack recorded it.
   */
  push(name: string, client: Repo, tip: string, ref: string, base: string): number {
    gitSync(['update-ref', ref, base], { cwd: this.repoDir(name), env: this.env });
    rmSync(this.traceDir, { recursive: true, force: true });
    mkdirSync(this.traceDir);
    this.setTrace(true);
    try {
      const remote = this.server.remoteFor('fw');
      const config = Object.entries(remote.config).flatMap(([key, value]) => ['-c', `${key}=${value}`]);
      const url = remote.url.replace(/:[^:]*$/, `:${name}`);
      const result = client.tryGit([...config, 'push', '-q', url, `${tip}:${ref}`]);
      if (result.code !== 0) throw new Error(`gitolite push of ${ref} failed (${result.code}):\n${result.stderr.trim()}`);
    } finally {
      this.setTrace(false);
    }
    const timings = hookTimings(readdirSync(this.traceDir).map((file) => join(this.traceDir, file)));
    if (!timings.some((timing) => timing.hook === 'update')) throw new Error('gitolite push: no update hook in the trace2 events');
    return timings.reduce((sum, timing) => sum + timing.ms, 0);
  }
}
