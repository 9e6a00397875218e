/** `coord-hooks warm status|stop`: asks the repository's warm process over its socket (no pid files to trust). */
import { existsSync, lstatSync } from 'fs';
import { connect } from 'net';
import { errorMessage } from '../core/errors';
import type { WarmPaths } from './paths';
import { encodeRequest, MAGIC } from './protocol';
import { checkPrivateDir, type WarmStatus } from './server';

/** Sends a control request (`--status`, `--stop`) and returns the answer's first line after MAGIC, or null when nobody answers. */
export function control(socket: string, what: '--status' | '--stop'): Promise<string | null> {
  const request = encodeRequest({ node: '', cli: '', cwd: '/', isTTY: false, argv: [what], env: {}, stdin: Buffer.alloc(0) });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const client = connect(socket);
    const timer = setTimeout(() => { client.destroy(); resolve(null); }, 5000);
    client.on('connect', () => client.end(request));
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.on('error', () => { clearTimeout(timer); resolve(null); });
    client.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('utf8');
      resolve(text.startsWith(`${MAGIC} `) ? text.slice(MAGIC.length + 1).replace(/\n$/, '') : null);
    });
  });
}

export interface WarmReport {
  paths: WarmPaths;
  clientBuilt: boolean;
  /** Why the socket directory would not be used (owner, mode), or null. */
  unsafe: string | null;
  running: WarmStatus | null;
}

export async function warmReport(paths: WarmPaths): Promise<WarmReport> {
  let unsafe: string | null = null;
  if (existsSync(paths.dir)) {
    try {
      checkPrivateDir(paths.dir);
    } catch (error) {
      unsafe = errorMessage(error);
    }
  }
  let running: WarmStatus | null = null;
  if (!unsafe && existsSync(paths.socket) && lstatSync(paths.socket).isSocket()) {
    const answer = await control(paths.socket, '--status');
    if (answer?.startsWith('status ')) running = JSON.parse(answer.slice('status '.length)) as WarmStatus;
  }
  return { paths, clientBuilt: existsSync(paths.client), unsafe, running };
}

export function formatWarmReport(report: WarmReport, enabled: boolean): string {
  const lines = [`socket: ${report.paths.socket}`, `client: ${report.paths.client}${report.clientBuilt ? '' : ' (not built: the hooks run cold; `coord-hooks install` builds it with cc)'}`,
    `switch: ${enabled ? 'on' : 'off (git config coord-hooks.warm false, or COORD_HOOKS_WARM=0)'}`];
  if (report.unsafe) lines.push(`not used: ${report.unsafe}`);
  const status = report.running;
  if (!status) lines.push('process: none answering (the next hook runs cold and starts one)');
  else {
    const cold = Object.entries(status.cold).map(([reason, count]) => `${reason} ${count}`).join(', ') || 'none';
    lines.push(`process: pid ${status.pid}, since ${status.startedAt}, ${status.served} answered warm, cold answers: ${cold}, ${status.inFlight} in flight, idle exit after ${Math.round(status.idleMs / 1000)} s`);
  }
  return lines.join('\n') + '\n';
}
