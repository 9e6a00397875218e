/**
 * The warm process: one per repository, listening on a private socket (warm/paths.ts), running the
 * same hook code the cold path runs (`run`: cli/run.ts's runCli, passed in) with each request's cwd,
 * environment (a push's quarantine variables included) and input. It answers "cold" instead of a
 * verdict when it is busy, stale (warm/staleness.ts), switched off (warm/switch.ts), asked by another
 * install of coord-hooks or for a hook it does not serve; then the client runs the hook itself.
 * It ends after `idleMs` without requests, when its socket is taken over or removed, or on `warm stop`.
 */
import { chmodSync, lstatSync, mkdirSync, realpathSync, renameSync, rmSync } from 'fs';
import { connect, createServer, type Server, type Socket } from 'net';
import { dirname } from 'path';
import { Readable } from 'stream';
import { CoordError } from '../core/errors';
import type { CommandIO } from '../core/io';
import { WARM_HOOKS } from '../hooks/template';
import type { WarmPaths } from './paths';
import { coldAnswer, MAGIC, okAnswer, parseRequest, type WarmRequest } from './protocol';
import { CodeSnapshot } from './staleness';
import { WarmSwitch } from './switch';

/** Largest request read (a hook's input is a few lines; a guard's a tool call). */
const MAX_REQUEST = 64 << 20;

export interface WarmServerOptions {
  paths: WarmPaths;
  /** The repository's common git dir (its config file feeds the off switch). */
  gitDir: string;
  idleMs: number;
  /** Requests served at once; one more is answered "busy" (the client runs it cold, in parallel). */
  maxInFlight: number;
  /** This process's own node and CLI: a request naming others comes from another install. */
  node: string;
  cli: string;
  /** Runs `coord-hooks ARGS` exactly as the cold path does (cli/run.ts runCli). */
  run(argv: string[], io: CommandIO): Promise<number>;
  /** Files whose change makes this process stale (the loaded modules, the manifest). */
  code: CodeSnapshot;
  /** Modules loaded so far (require.cache's keys): tracked after each request. */
  loaded(): string[];
  log(line: string): void;
}

export interface WarmStatus {
  pid: number;
  startedAt: string;
  served: number;
  cold: Record<string, number>;
  inFlight: number;
  idleMs: number;
  socket: string;
  node: string;
  cli: string;
  files: number;
}

/** The socket's directory exists, is a directory, is ours and is closed to everyone else; else an error saying so. */
export function checkPrivateDir(dir: string): void {
  const stat = lstatSync(dir);
  const uid = process.getuid?.();
  if (!stat.isDirectory()) throw new CoordError(`${dir} is not a directory`, { hint: `remove it; coord-hooks creates it (mode 0700) on the next hook run` });
  if (uid !== undefined && stat.uid !== uid) throw new CoordError(`${dir} belongs to uid ${stat.uid}, not to this user (${uid})`, { hint: 'the warm process runs as the user who owns the repository; remove the directory' });
  if ((stat.mode & 0o077) !== 0) throw new CoordError(`${dir} is open to others (mode ${(stat.mode & 0o777).toString(8)})`, { hint: `chmod 700 ${dir}` });
}

/** Creates the socket's directory 0700 (and its per-user parent under the temp dir, where others can create names too). */
export function makePrivateDir(paths: WarmPaths): void {
  mkdirSync(dirname(paths.dir), { recursive: true, mode: 0o700 });
  if (paths.inTmp) checkPrivateDir(dirname(paths.dir));
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  checkPrivateDir(paths.dir);
}

function inode(path: string): number | null {
  try {
    return lstatSync(path).ino;
  } catch {
    return null;
  }
}

/** Whether a process answers on `socket` (connects within a second). */
export function answering(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const client = connect(socket);
    const timer = setTimeout(() => { client.destroy(); resolve(false); }, 1000);
    client.once('connect', () => { clearTimeout(timer); client.destroy(); resolve(true); });
    client.once('error', () => { clearTimeout(timer); resolve(false); });
  });
}

function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** Serves until idle, stopped or replaced; resolves then. Returns at once (false) when another process already answers. */
export async function serveWarm(options: WarmServerOptions): Promise<boolean> {
  const { paths } = options;
  makePrivateDir(paths);
  if (await answering(paths.socket)) return false;
  const warmSwitch = new WarmSwitch(options.gitDir);
  const status: WarmStatus = {
    pid: process.pid, startedAt: new Date().toISOString(), served: 0, cold: {}, inFlight: 0, idleMs: options.idleMs,
    socket: paths.socket, node: options.node, cli: options.cli, files: options.code.size,
  };
  const identities = new Map<string, boolean>();
  const ours = (request: WarmRequest) => {
    const key = `${request.node}\0${request.cli}`;
    if (!identities.has(key)) identities.set(key, sameFile(request.node, options.node) && sameFile(request.cli, options.cli));
    return identities.get(key)!;
  };
  let lastRequest = Date.now();
  let stopping = false;
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => onConnection(socket));
  let myInode: number | null = null;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => { finished = resolve; });

  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    options.log(`stopping: ${why}`);
    if (myInode !== null && inode(paths.socket) === myInode) rmSync(paths.socket, { force: true });
    server.close(() => finished());
  };

  const cold = (reason: Parameters<typeof coldAnswer>[0]) => {
    status.cold[reason] = (status.cold[reason] ?? 0) + 1;
    return coldAnswer(reason);
  };

  const answer = async (data: Buffer): Promise<Buffer> => {
    const request = parseRequest(data);
    if (!request) return cold('bad-request');
    if (request.argv[0] === '--status') return Buffer.from(`${MAGIC} status ${JSON.stringify(status)}\n`);
    if (request.argv[0] === '--stop') {
      stop('asked to (coord-hooks warm stop)');
      return Buffer.from(`${MAGIC} stopped\n`);
    }
    if (stopping) return cold('stopping');
    if (!ours(request)) return cold('other-install');
    if (!(WARM_HOOKS as readonly string[]).includes(request.argv[0])) return cold('not-warm-hook');
    const changed = options.code.changed();
    if (changed) {
      stop(`stale: ${changed} changed since start`);
      return cold('stale');
    }
    if (status.inFlight >= options.maxInFlight) return cold('busy');
    status.inFlight += 1;
    lastRequest = Date.now();
    try {
      if (!(await warmSwitch.allowed(request.cwd, request.env))) {
        stop('switched off (coord-hooks.warm false or COORD_HOOKS_WARM=0)');
        return cold('off');
      }
      const out: string[] = [];
      const err: string[] = [];
      // A request never starts another process (a cold run does): drop the variable if the caller's environment had it.
      const { COORD_HOOKS_WARM_START: _start, ...env } = request.env;
      const code = await options.run(['hook', ...request.argv], {
        cwd: request.cwd, env, stdin: Readable.from([request.stdin]), isTTY: request.isTTY,
        out: (text) => { out.push(text); }, err: (text) => { err.push(text); },
      });
      status.served += 1;
      return okAnswer(code, out.join(''), err.join(''));
    } finally {
      status.inFlight -= 1;
      lastRequest = Date.now();
      options.code.track(options.loaded());
    }
  };

  const onConnection = (socket: Socket) => {
    const chunks: Buffer[] = [];
    let size = 0;
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST) socket.destroy();
      else chunks.push(chunk);
    });
    socket.on('end', () => {
      answer(Buffer.concat(chunks)).then(
        (reply) => socket.end(reply),
        (error: unknown) => {
          // An error outside the hook's own handling: no answer, so the client runs the hook cold.
          options.log(`request failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
          socket.destroy();
        },
      );
    });
  };

  const temporary = `${paths.socket}.${process.pid}`;
  rmSync(temporary, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(temporary, () => { server.off('error', reject); resolve(); });
  });
  chmodSync(temporary, 0o600);
  renameSync(temporary, paths.socket);
  myInode = inode(paths.socket);
  options.log(`serving ${paths.socket} (pid ${process.pid}, idle exit after ${options.idleMs} ms, ${options.code.size} files watched)`);

  const tick = setInterval(() => {
    if (inode(paths.socket) !== myInode) stop('the socket was removed or taken over');
    else if (status.inFlight === 0 && Date.now() - lastRequest >= options.idleMs) stop(`idle for ${options.idleMs} ms`);
  }, Math.max(100, Math.min(options.idleMs / 4, 5000)));
  await done;
  clearInterval(tick);
  return true;
}
