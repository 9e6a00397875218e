/**
 * `coord-hooks hook NAME [ARGS…]`: what installed hook scripts run. Each hook's module is loaded only
 * when that hook runs. Not for people; `install` writes the scripts that call it.
 */
import { CoordError } from '../core/errors';
import { defineCommand, type CommandIO } from './command';

type HookRunner = (args: string[], io: CommandIO) => Promise<number>;

export const HOOKS: Record<string, () => Promise<HookRunner>> = {
  'pre-receive': async () => (await import('../gate/pre-receive-hook')).runPreReceive,
  'post-receive': async () => (await import('../gate/post-receive-hook')).runPostReceive,
  'pre-commit': async () => (await import('../hooks/client/pre-commit')).runPreCommit,
  'pre-push': async () => (await import('../hooks/client/pre-push')).runPrePush,
  'post-merge': async () => (await import('../hooks/client/post-merge')).runPostMerge,
  'reference-transaction': async () => (await import('../hooks/client/reference-transaction')).runReferenceTransaction,
  'claude-guard': async () => (await import('../hooks/guard')).runClaudeGuard,
  'claude-session-start': async () => (await import('../hooks/claude-session')).runClaudeSessionStart,
  'claude-stop': async () => (await import('../hooks/claude-session')).runClaudeStop,
};

/** Runs `work` for at most `ms`; a failure or a stall is dropped (starting the warm process is an optimisation). */
async function startWithin(ms: number, work: () => Promise<void>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => { timer = setTimeout(resolve, ms); timer.unref(); });
  await Promise.race([work().catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

export default defineCommand({
  name: 'hook',
  summary: 'Run one installed git hook (called by the hook scripts that `coord-hooks install` writes).',
  positionals: 'NAME [ARGS…]',
  options: {},
  details: `Hooks: ${Object.keys(HOOKS).join(', ')}.`,
  exitCodes: '0 git (or Claude Code) goes on · 1 rejected: a server or client hook\'s verdict · 2 blocked by the Claude Code guard, or an unknown hook or usage error',
  async run({ positionals }, io) {
    const [name, ...args] = positionals;
    const load = name ? HOOKS[name] : undefined;
    if (!load) throw new CoordError(`unknown hook "${name ?? ''}"`, { hint: `hooks are: ${Object.keys(HOOKS).join(', ')}` });
    try {
      return await (await load())(args, io);
    } finally {
      // The warm client found no process for this repository and ran the hook cold: start one (docs/warm.md).
      // Never at the verdict's expense: a start that stalls (a slow git) is left behind after 1 s, so
      // the hook still ends within its own deadline (the guard's stays below Claude Code's timeout).
      if (io.env.COORD_HOOKS_WARM_START) await startWithin(1000, async () => (await import('../warm/start')).startWarmIfAsked(io.cwd, io.env));
    }
  },
});
