/**
 * Builds the warm client (warm/client-source.ts) into `<git common dir>/coord-hooks/warm/client` with
 * the system's C compiler (`$CC`, else `cc`). Without a compiler there is no client: the hooks run cold,
 * exactly as before, and install says so. The build is skipped when the same source was built already.
 */
import { createHash } from 'crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'fs';
import { dirname } from 'path';
import { errorMessage } from '../core/errors';
import { runProcess } from '../core/process';
import { foreignEnv } from '../git/run';
import type { WarmHookPaths } from '../hooks/template';
import { CLIENT_C } from './client-source';
import { warmPaths } from './paths';

export type ClientBuild = { ok: true; path: string; built: boolean } | { ok: false; reason: string };

export async function buildClient(path: string, env: NodeJS.ProcessEnv): Promise<ClientBuild> {
  const digest = createHash('sha256').update(CLIENT_C).digest('hex');
  const stamp = `${path}.source-sha256`;
  try {
    if (existsSync(path) && readFileSync(stamp, 'utf8').trim() === digest) return { ok: true, path, built: false };
  } catch {
    // no stamp: build
  }
  const compiler = env.CC?.trim() || 'cc';
  const temp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const result = await runProcess(compiler, ['-O2', '-o', temp, '-x', 'c', '-'], { env: foreignEnv(env), input: CLIENT_C, timeoutMs: 60_000 });
    if (result.code !== 0) return { ok: false, reason: `${compiler} failed (exit ${result.code}): ${result.stderr.trim().split('\n').slice(0, 3).join(' ')}` };
    chmodSync(temp, 0o755);
    renameSync(temp, path);
    writeFileSync(stamp, `${digest}\n`);
    return { ok: true, path, built: true };
  } catch (error) {
    rmSync(temp, { force: true });
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    return { ok: false, reason: missing ? `no C compiler (${compiler}) on PATH` : errorMessage(error) };
  }
}

/** What install records in the hook scripts: the built client and the socket, or why the hooks stay cold. */
export async function prepareWarmClient(commonDir: string, env: NodeJS.ProcessEnv): Promise<WarmHookPaths | { note: string }> {
  const paths = warmPaths(commonDir);
  const built = await buildClient(paths.client, env);
  return built.ok ? { client: paths.client, socket: paths.socket } : { note: `no warm client (${built.reason}): the hooks start node each time, as before (docs/warm.md)` };
}
