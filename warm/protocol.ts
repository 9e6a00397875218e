/**
 * The warm protocol, one request and one answer per connection (the client half-closes after sending).
 *
 * Request: NUL-terminated fields: MAGIC, node path, CLI path, cwd, stdout-is-a-tty ("1"/"0"), the
 * argument count N, N arguments (the hook name first), the environment (NAME=value each), an empty
 * field, then the hook's standard input, raw, to the end.
 *
 * Answer: `MAGIC ok EXIT OUTLEN ERRLEN\n`, then OUTLEN bytes for stdout and ERRLEN for stderr, and
 * nothing more; or `MAGIC cold REASON\n`: the client runs the hook cold. The client shows an answer
 * only if it is exactly this shape and whole.
 */
export const MAGIC = 'coord-hooks-warm 1';

export interface WarmRequest {
  node: string;
  cli: string;
  cwd: string;
  isTTY: boolean;
  /** The hook name, then its arguments. */
  argv: string[];
  env: NodeJS.ProcessEnv;
  stdin: Buffer;
}

/** The request, or null when it is not one (wrong magic, cut short, counts that do not add up). */
export function parseRequest(data: Buffer): WarmRequest | null {
  let at = 0;
  const next = (): string | null => {
    const end = data.indexOf(0, at);
    if (end < 0) return null;
    const text = data.toString('utf8', at, end);
    at = end + 1;
    return text;
  };
  if (next() !== MAGIC) return null;
  const [node, cli, cwd, tty, count] = [next(), next(), next(), next(), next()];
  if (node === null || cli === null || cwd === null || (tty !== '0' && tty !== '1') || count === null || !/^\d{1,4}$/.test(count)) return null;
  const argv: string[] = [];
  for (let index = 0; index < Number(count); index += 1) {
    const arg = next();
    if (arg === null) return null;
    argv.push(arg);
  }
  const env: NodeJS.ProcessEnv = {};
  for (;;) {
    const entry = next();
    if (entry === null) return null;
    if (entry === '') break;
    const equals = entry.indexOf('=');
    if (equals > 0) env[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  if (argv.length === 0) return null;
  return { node, cli, cwd, isTTY: tty === '1', argv, env, stdin: data.subarray(at) };
}

export function okAnswer(exitCode: number, out: string, err: string): Buffer {
  const outBytes = Buffer.from(out, 'utf8');
  const errBytes = Buffer.from(err, 'utf8');
  return Buffer.concat([Buffer.from(`${MAGIC} ok ${exitCode} ${outBytes.length} ${errBytes.length}\n`), outBytes, errBytes]);
}

/** Why the client should run the hook itself. */
export type ColdReason = 'busy' | 'stale' | 'off' | 'other-install' | 'not-warm-hook' | 'bad-request' | 'stopping';

export function coldAnswer(reason: ColdReason): Buffer {
  return Buffer.from(`${MAGIC} cold ${reason}\n`);
}

/** Request bytes, as the C client writes them (tests and `coord-hooks warm status` use it). */
export function encodeRequest(request: WarmRequest): Buffer {
  const fields = [MAGIC, request.node, request.cli, request.cwd, request.isTTY ? '1' : '0', String(request.argv.length), ...request.argv,
    ...Object.entries(request.env).filter(([, value]) => value !== undefined).map(([name, value]) => `${name}=${value}`), ''];
  return Buffer.concat([Buffer.from(fields.map((field) => `${field}\0`).join('')), request.stdin]);
}
