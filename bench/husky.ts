/**
 * The husky-style hooks the commit scenarios (10c, 12) compare with: husky v9's layout, written here.
 * `husky` installs one file per git hook it knows into `.husky/_/` (core.hooksPath), each sourcing the
 * runner `h`, which finds the user's `.husky/<hook>` and runs it with `sh -e`; a commit runs four of
 * them (pre-commit, prepare-commit-msg, commit-msg, post-commit: husky v9 does not install
 * reference-transaction). The user's pre-commit here is `exit 0`.
 */
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';

/** Writes the layout under `dir` (`dir/_` is the hooks directory, `dir/pre-commit` the user's hook); returns the hooks directory. */
export function huskyStyleHooks(dir: string): string {
  const hooks = join(dir, '_');
  mkdirSync(hooks, { recursive: true });
  const runner = [
    '#!/usr/bin/env sh',
    '[ "$HUSKY" = "0" ] && exit 0',
    'n=$(basename "$0")',
    's=$(dirname "$(dirname "$0")")/$n',
    '[ -f "$s" ] || exit 0',
    'export PATH="node_modules/.bin:$PATH"',
    'sh -e "$s" "$@"',
    'c=$?',
    '[ $c != 0 ] && echo "husky - $n script failed (code $c)"',
    'exit $c',
  ].join('\n') + '\n';
  writeFileSync(join(hooks, 'h'), runner, { mode: 0o755 });
  for (const hook of ['pre-commit', 'prepare-commit-msg', 'commit-msg', 'post-commit']) {
    writeFileSync(join(hooks, hook), '#!/usr/bin/env sh\n. "$(dirname "$0")/h"\n', { mode: 0o755 });
  }
  writeFileSync(join(dir, 'pre-commit'), 'exit 0\n', { mode: 0o755 });
  return hooks;
}
