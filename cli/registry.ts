/** The command table. Each command is loaded only when it runs, so hooks start fast. */
import type { CommandSpec } from './command';

type Loader = () => Promise<CommandSpec>;

export const COMMANDS: Record<string, { summary: string; load: Loader }> = {
  check: { summary: 'judge commits against a team\'s write scope (the gate\'s verdict, for CI and dry runs)', load: async () => (await import('./check')).default as CommandSpec },
  explain: { summary: 'which teams may write a path, and which pattern says so', load: async () => (await import('./explain')).default as CommandSpec },
  install: { summary: 'install the git hooks: early feedback in a clone, or the gate in a bare repository (--server)', load: async () => (await import('./install')).default as CommandSpec },
  uninstall: { summary: 'remove coord-hooks\' git hooks and put chained hooks back', load: async () => (await import('./uninstall')).default as CommandSpec },
  keys: { summary: 'show (or --create) the key this clone signs round tags with, and the signers line for the architect', load: async () => (await import('./keys')).default as CommandSpec },
  'signal-done': { summary: 'sign and push the tag round-N/done/<team> on your team branch', load: async () => (await import('./signal-done')).default as CommandSpec },
  tally: { summary: 'which teams have signalled each round done (verified signatures)', load: async () => (await import('./tally')).default as CommandSpec },
  'wait-for': { summary: 'wait until teams have signalled a round done (the barrier)', load: async () => (await import('./wait-for')).default as CommandSpec },
  demo: { summary: 'play one whole round on throwaway repositories, narrated', load: async () => (await import('./demo')).default as CommandSpec },
  hook: { summary: 'run an installed git hook (used by the scripts `install` writes)', load: async () => (await import('./hook')).default as CommandSpec },
  announce: { summary: 'architect: announce round N to teams (ANNOUNCEMENT.md on <team>/round-N)', load: async () => (await import('./announce')).default as CommandSpec },
  watch: { summary: 'wait for announcements (or, --replies, for replies) and run a command for each', load: async () => (await import('./watch')).default as CommandSpec },
  status: { summary: 'architect: rounds × teams (announced, replied, done, pending), activity, rejections', load: async () => (await import('./status')).default as CommandSpec },
  reply: { summary: 'team: answer the round with REPLY.md on the round branch', load: async () => (await import('./reply')).default as CommandSpec },
  sandbox: { summary: 'run an agent command under bubblewrap: it may write only the team\'s scope (and what git needs)', load: async () => (await import('./sandbox')).default as CommandSpec },
  up: { summary: 'architect: run the rounds: a workspace and an agent per team, announcements fed, the architect told (--status: the board)', load: async () => (await import('./up')).default as CommandSpec },
  down: { summary: 'architect: stop what `up` started (the conductor, its agents, its tmux windows)', load: async () => (await import('./down')).default as CommandSpec },
  warm: { summary: 'the warm gate process that answers hooks without starting node: status, stop (docs/warm.md)', load: async () => (await import('./warm')).default as CommandSpec },
  report: { summary: 'the rounds board (rounds × teams, rejected pushes, timeline) in the terminal, as --json, or as one --html file', load: async () => (await import('./report')).default as CommandSpec },
  ci: { summary: 'the check on GitHub Actions or GitLab CI (hosts without server hooks): team from the author\'s account', load: async () => (await import('./ci')).default as CommandSpec },
};
