/**
 * The hook scripts `coord-hooks install` writes: POSIX sh, recognisable by HOOK_MARKER, recording the
 * absolute paths of node and of the CLI (hooks run with whatever PATH git gives them). Pure text: no
 * file system, no git.
 */

/** The line that tells our scripts from anyone else's. Bump the version when the template changes shape. */
export const HOOK_MARKER = '# coord-hooks managed hook v1';
const MARKER_PATTERN = /^# coord-hooks managed hook v\d+\s*$/m;

/** Suffix of a hook that was there before ours: kept byte for byte, run first, put back by uninstall. */
export const CHAINED_SUFFIX = '.coord-hooks-chained';

export const SERVER_HOOKS = ['pre-receive', 'post-receive'] as const;
export const CLIENT_HOOKS = ['pre-commit', 'pre-push', 'post-merge', 'reference-transaction'] as const;

/** Hooks that read their input from stdin: with a chained hook, the input is captured once and fed to both. */
const STDIN_HOOKS = new Set(['pre-receive', 'post-receive', 'pre-push', 'reference-transaction']);

export type HookSide = 'server' | 'client';

/** The hooks a warm process answers (warm/server.ts): the ones on every commit, push and tool call. */
export const WARM_HOOKS = ['pre-commit', 'pre-push', 'pre-receive', 'claude-guard'] as const;

/** The repository's warm client and socket (warm/paths.ts), recorded by install. */
export interface WarmHookPaths {
  client: string;
  socket: string;
}

/**
 * Seconds a client waits for a warm answer before it runs the hook cold (the gate has its own timeout inside).
 * The guard's wait outlasts its own deadline (at most 6 s, applied inside the warm process too), so a
 * guard that stalls answers warm with the deadline's refusal instead of starting over cold; only a
 * warm process that says nothing at all costs the cold run on top, and then Claude Code's own 10 s
 * timeout blocks the call (the guard is registered to block on failure).
 */
export const WARM_WAIT_SECONDS: Record<(typeof WARM_HOOKS)[number], number> = { 'pre-commit': 120, 'pre-push': 600, 'pre-receive': 900, 'claude-guard': 7 };

/** The command that asks the warm process and falls back to `NODE CLI hook NAME` (the client reads its input itself when `stdin`). */
export function warmCommand(hook: (typeof WARM_HOOKS)[number], stdin: boolean, args: string): string {
  return `"$WARM" "$WARM_SOCKET" ${WARM_WAIT_SECONDS[hook]} ${stdin ? 1 : 0} "$NODE" "$CLI" hook ${hook}${args}`;
}

/**
 * How the chained hook is started. `exec` runs the file. `source` is for shell scripts: a fresh shell
 * sources the file with $0 set to the hook's own path, because hook managers such as husky v9 find
 * their work from `basename "$0"`, which the `.coord-hooks-chained` name would change.
 */
export type ChainedRunner = { kind: 'exec' } | { kind: 'source'; interpreter: string[] };

export interface HookScriptSpec {
  hook: string;
  side: HookSide;
  nodePath: string;
  cliPath: string;
  /** Present when a hook that was not ours is kept as `<hook>.coord-hooks-chained`. */
  chained?: ChainedRunner;
  /** Present when the warm client is built: the hook asks the warm process first (docs/warm.md). */
  warm?: WarmHookPaths;
}

export function isManagedScript(content: string | Buffer): boolean {
  return MARKER_PATTERN.test(content.toString('utf8', 0, Math.min(content.length, 4096)));
}

/** Single-quotes a word for sh. */
export function shQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

const SHELLS = new Set(['sh', 'dash', 'bash', 'ksh', 'mksh', 'zsh', 'ash']);

/** Chooses how to run an existing hook from its first bytes: shell scripts are sourced (see ChainedRunner). */
export function chainedRunnerFor(head: Buffer): ChainedRunner {
  const firstLine = head.toString('latin1').split('\n')[0].replace(/\r$/, '');
  const match = /^#!\s*(\S+)((?:[ \t]+\S+)*)\s*$/.exec(firstLine);
  if (!match) return { kind: 'exec' };
  const words = [match[1], ...match[2].trim().split(/[ \t]+/).filter(Boolean)];
  const program = words[0].split('/').pop() ?? '';
  const shell = program === 'env' ? words[1] : program;
  const flags = words.slice(program === 'env' ? 2 : 1);
  if (!shell || !SHELLS.has(shell) || !flags.every((flag) => /^-[a-zA-Z]+$/.test(flag))) return { kind: 'exec' };
  return { kind: 'source', interpreter: words };
}

export function renderHookScript(spec: HookScriptSpec): string {
  const { hook, side, chained } = spec;
  const post = hook.startsWith('post-');
  // reference-transaction reads its input in sh (builtins only): node starts only when there is news.
  const filter = side === 'client' && hook === 'reference-transaction';
  // post-receive needs node only for round tags (round completion): other pushes are logged by the script.
  const fastAudit = side === 'server' && hook === 'post-receive';
  // Captured into a file only for a chained hook: reference-transaction and post-receive read it with builtins.
  const stdin = STDIN_HOOKS.has(hook) && chained !== undefined;
  const client = side === 'client';
  const lines = [
    '#!/bin/sh',
    HOOK_MARKER,
    `# ${hook} (${side} hook), written by \`coord-hooks install${client ? '' : ' --server'}\`: re-installing rewrites this file,`,
    `# \`coord-hooks uninstall${client ? '' : ' --server'}\` removes it${chained ? ` and puts back ${hook}${CHAINED_SUFFIX}` : ''}.`,
    `NODE=${shQuote(spec.nodePath)}`,
    `CLI=${shQuote(spec.cliPath)}`,
    ...missingFunction(hook, side),
    '',
    ...guardPart(hook, side),
  ];
  // A hook that can block checks the paths before running the chained hook (the answer would be no
  // anyway); a post-* hook blocks nothing, so the chained hook runs first whatever happens to ours.
  if (!post) lines.push(...(client ? ['if [ "$OURS" = 1 ]; then', ...PATH_CHECKS.map((line) => `  ${line}`), 'fi'] : PATH_CHECKS), '');
  if (stdin) lines.push(...capturePart(hook), '');
  if (chained) lines.push(...chainedPart(hook, chained, stdin, post), '');
  if (filter) return [...lines, ...referenceTransactionFilter(stdin)].join('\n') + '\n';
  if (fastAudit) lines.push(...POST_RECEIVE_AUDIT(chained !== undefined, stdin), '');
  if (client) lines.push(`[ "$OURS" = 1 ] || exit ${chained && post ? '"$CHAINED_STATUS"' : '0'}`);
  if (post) lines.push(...PATH_CHECKS);
  if (!client) lines.push('unset COORD_HOOKS');
  const warmHook = spec.warm && (WARM_HOOKS as readonly string[]).includes(hook) ? hook as (typeof WARM_HOOKS)[number] : null;
  if (warmHook && spec.warm) {
    lines.push(
      `# Asks the repository's warm coord-hooks process (docs/warm.md); the client runs the line below's command itself`,
      '# whenever that answer is missing, stale, busy or malformed. Off: git config coord-hooks.warm false, or COORD_HOOKS_WARM=0.',
      `WARM=${shQuote(spec.warm.client)}`,
      `WARM_SOCKET=${shQuote(spec.warm.socket)}`,
      'if [ -x "$WARM" ]; then',
      `  COORD_HOOKS_RUNNING=1 ${warmCommand(warmHook, STDIN_HOOKS.has(hook), ' "$@"')}${stdin ? ' < "$INPUT"' : ''}`,
      '  exit $?',
      'fi',
    );
  }
  // post-receive read its input already (POST_RECEIVE_AUDIT): node gets the lines it kept.
  const feed = fastAudit && !stdin ? 'printf \'%s\' "$ALL" | ' : '';
  lines.push(`${feed}COORD_HOOKS_RUNNING=1 "$NODE" "$CLI" hook ${hook} "$@"${stdin ? ' < "$INPUT"' : ''}`);
  if (chained && post) lines.push('STATUS=$?', '[ "$STATUS" != 0 ] || STATUS=$CHAINED_STATUS', 'exit "$STATUS"');
  else lines.push('exit $?');
  return lines.join('\n') + '\n';
}

const PATH_CHECKS = [
  '[ -x "$NODE" ] || missing "node is missing at $NODE (moved or upgraded since install)"',
  '[ -f "$CLI" ] || missing "the coord-hooks CLI is missing at $CLI (package moved or removed since install)"',
];

/** Node and the CLI must still be where install found them; if not: say which, name the fix, fail. */
function missingFunction(hook: string, side: HookSide): string[] {
  const fix = side === 'server'
    ? `re-run \\\`coord-hooks install --server --repo $PWD\\\` (or \\\`install.sh $PWD\\\`) with the node and coord-hooks this hook should use${hook === 'pre-receive' ? '; until then every push is rejected' : ''}`
    : 're-run \\`npx coord-hooks install\\` in this clone (COORD_HOOKS=0 skips this hook meanwhile)';
  return [
    'missing() {',
    `  echo "coord-hooks: ${hook}: $1" >&2`,
    `  echo "coord-hooks: fix: ${fix}" >&2`,
    '  exit 1',
    '}',
  ];
}

function guardPart(hook: string, side: HookSide): string[] {
  if (side === 'server') {
    return ['# Server hook: COORD_HOOKS=0 and COORD_HOOKS_RUNNING are ignored; the pusher cannot switch the gate off.', ''];
  }
  return [
    'OURS=1',
    'if [ "${COORD_HOOKS_RUNNING:-}" = 1 ]; then',
    '  OURS=0 # started by a git command that coord-hooks itself runs: only the chained hook runs',
    'elif [ "${COORD_HOOKS:-}" = 0 ]; then',
    // reference-transaction runs two or three times per ref update: say it once, at "prepared".
    hook === 'reference-transaction'
      ? `  [ "\${1:-}" != prepared ] || echo 'coord-hooks: ${hook} skipped (COORD_HOOKS=0)' >&2`
      : `  echo 'coord-hooks: ${hook} skipped (COORD_HOOKS=0)' >&2`,
    '  OURS=0',
    'fi',
    '',
  ];
}

/** The hook's input, captured once into a temporary file (fed to the chained hook and to ours). */
function capturePart(hook: string): string[] {
  return [
    `INPUT=$(mktemp "\${TMPDIR:-/tmp}/coord-hooks-${hook}.XXXXXX") || {`,
    `  echo 'coord-hooks: ${hook}: cannot create a temporary file for the hook input' >&2`,
    '  exit 1',
    '}',
    `trap 'rm -f "$INPUT"' EXIT`,
    `trap 'exit 129' HUP; trap 'exit 130' INT; trap 'exit 143' TERM`,
    'cat > "$INPUT"',
  ];
}

/**
 * git runs reference-transaction for every ref update, two or three times each (prepared, committed,
 * aborted), and on fetch once per ref. This part is sh builtins only (no mktemp, cat, grep or rm): it
 * ends at once unless the transaction is committed and creates a round done-tag or a remote round branch
 * not announced before; only then does it ask git for the common directory (announced branches and the
 * burst counter live in `<common dir>/coord-hooks/`) and start node with just those lines.
 */
function referenceTransactionFilter(captured: boolean): string[] {
  return [
    '# Node starts only for a committed transaction that creates a round done-tag or a remote round branch not',
    '# announced before (a push updates its remote-tracking ref with the zero id as old value, like a new one).',
    '[ "$OURS" = 1 ] && [ "${1:-}" = committed ] || exit 0',
    '# <common dir>/coord-hooks, asked of git at most once and only when there is something to check ("-": unknown).',
    'DIR=',
    'coord_dir() {',
    '  [ -z "$DIR" ] || return 0',
    '  DIR=$(git rev-parse --git-common-dir 2>/dev/null) && [ -n "$DIR" ] && DIR="$DIR/coord-hooks" || DIR=-',
    '}',
    'NEWS=',
    'while read -r OLD NEW REF; do',
    '  case "$OLD" in ""|*[!0]*) continue ;; esac',
    '  case "$NEW" in *[!0]*) ;; *) continue ;; esac',
    '  case "$REF" in',
    '    refs/tags/round-*/done/*) ;;',
    '    refs/remotes/*/*/round-[0-9]*)',
    '      coord_dir',
    '      [ "$DIR" = - ] || [ ! -e "$DIR/announced/${REF#refs/remotes/*/}" ] || continue ;;',
    '    *) continue ;;',
    '  esac',
    '  NEWS="$NEWS$OLD $NEW $REF',
    '"',
    `done${captured ? ' < "$INPUT"' : ''}`,
    '[ -n "$NEWS" ] || exit 0',
    '# git runs this hook once per ref on fetch: of a burst (same parent git process) only the first 10 start node.',
    'coord_dir',
    'if [ "$DIR" != - ]; then',
    '  ME=$PPID',
    '  if { read -r STAT < "/proc/$PPID/stat"; } 2>/dev/null; then',
    '    set -- ${STAT##*) }',
    '    [ $# -lt 20 ] || { shift 19; ME="$PPID.$1"; }',
    '  fi',
    '  [ -d "$DIR" ] || mkdir -p "$DIR" 2>/dev/null',
    '  KEY= N=',
    '  { read -r KEY N < "$DIR/news-burst"; } 2>/dev/null',
    '  case "$N" in ""|*[!0-9]*) N=0 ;; esac',
    '  if [ "$KEY" = "$ME" ]; then N=$((N + 1)); else N=1; fi',
    '  { echo "$ME $N" > "$DIR/news-burst"; } 2>/dev/null',
    '  if [ "$N" -gt 10 ]; then',
    '    [ "$N" -ne 11 ] || echo \'coord-hooks: more round refs are arriving; `coord-hooks status` shows them all\' >&2',
    '    exit 0',
    '  fi',
    'fi',
    'printf \'%s\' "$NEWS" | COORD_HOOKS_RUNNING=1 "$NODE" "$CLI" hook reference-transaction committed',
    'exit 0',
  ];
}

/**
 * An accepted push without round tags: append the audit line (the shape gate/audit.ts writes) here and
 * skip node. sh builtins only, apart from `date` (and, for a pusher name with unusual characters, `tr`
 * and `sed`): the input is read with `read`, and the lines are kept for node when a round tag is among
 * them. Ref names cannot hold control characters or backslashes (git check-ref-format), so escaping
 * their double quotes is all JSON needs; the pusher name is cleaned of both.
 */
const POST_RECEIVE_AUDIT = (chained: boolean, captured: boolean): string[] => [
  '# Reads the pushed refs with builtins: their audit line, and whether a round tag is among them (then node runs).',
  'ALL= REFS= ROUND=',
  'while read -r OLD NEW REF || [ -n "$REF" ]; do # a last line without its newline counts too',
  '  [ -n "$REF" ] || continue',
  '  ALL="$ALL$OLD $NEW $REF',
  '"',
  '  case "$REF" in refs/tags/round-*) ROUND=1 ;; esac',
  '  ESCAPED= REST=$REF',
  '  while :; do',
  `    case "$REST" in *'"'*) ESCAPED="$ESCAPED\${REST%%'"'*}"'\\"'; REST=\${REST#*'"'} ;; *) ESCAPED="$ESCAPED$REST"; break ;; esac`,
  '  done',
  `  REFS="$REFS{\\"ref\\":\\"$ESCAPED\\",\\"old\\":\\"$OLD\\",\\"new\\":\\"$NEW\\"},"`,
  `done${captured ? ' < "$INPUT"' : ''}`,
  'if [ -z "$ROUND" ]; then',
  '  PUSHER=${GL_USER:-${GL_USERNAME:-${GITEA_PUSHER_NAME:-${REMOTE_USER:-${GITHUB_USER_LOGIN:-}}}}}',
  '  case "$PUSHER" in',
  '    "") PUSHER=null ;;',
  `    *[!A-Za-z0-9._@+-]*) PUSHER="\\"$(printf '%s' "$PUSHER" | tr -d '\\000-\\037' | sed 's/\\\\/\\\\\\\\/g; s/"/\\\\"/g')\\"" ;;`,
  '    *) PUSHER="\\"$PUSHER\\"" ;;',
  '  esac',
  '  LOG="${GIT_DIR:-.}/coord-hooks"',
  `  { { [ -d "$LOG" ] || mkdir -p "$LOG"; } && printf '{"time":"%s","event":"accepted","pusher":%s,"refs":[%s]}\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$PUSHER" "\${REFS%,}" >> "$LOG/audit.jsonl"; } 2>/dev/null \\`,
  '    || echo "coord-hooks: warning: could not write the audit log $LOG/audit.jsonl (the push is done)" >&2',
  `  exit ${chained ? '"$CHAINED_STATUS"' : '0'}`,
  'fi',
];

function chainedPart(hook: string, runner: ChainedRunner, stdin: boolean, post: boolean): string[] {
  const lines = [
    `# The hook that was here before coord-hooks runs first, with the same arguments${stdin ? ' and input' : ''}.`,
    ...(runner.kind === 'source' ? ['# A shell script: sourced by its own shell with $0 set to this hook\'s path, as hook managers (husky) expect.'] : []),
    `CHAINED="\${0%/*}/${hook}${CHAINED_SUFFIX}"`,
  ];
  const redirect = stdin ? ' < "$INPUT"' : '';
  const start = runner.kind === 'exec'
    ? `"$CHAINED" "$@"${redirect}`
    : `COORD_HOOKS_CHAINED="$CHAINED" ${runner.interpreter.map(shQuote).join(' ')} -c '. "$COORD_HOOKS_CHAINED"' "$0" "$@"${redirect}`;
  if (post) {
    lines.push('CHAINED_STATUS=0', 'if [ -x "$CHAINED" ]; then', `  ${start} || CHAINED_STATUS=$?`, 'fi');
  } else {
    lines.push('if [ -x "$CHAINED" ]; then', `  ${start} || exit $?`, 'fi');
  }
  return lines;
}
