/**
 * Where a repository's warm process lives: `<git common dir>/coord-hooks/warm/` (0700) holds the socket
 * (`sock`), the built client (`client`) and the process's log. One process per repository: every
 * worktree's hooks ask the same socket. A socket path must fit in 107 bytes; a deeper repository uses
 * `<tmpdir>/coord-hooks-<uid>/<hash of the git dir>/` instead (both 0700, checked at start).
 */
import { createHash } from 'crypto';
import { tmpdir } from 'os';
import { join } from 'path';

export interface WarmPaths {
  /** The 0700 directory holding the socket. */
  dir: string;
  socket: string;
  /** The built client (always in the git dir: it is the repository's, like its hooks). */
  client: string;
  log: string;
  /** The socket lives under the temp dir (the git dir's path is too long): its per-user parent is checked too. */
  inTmp: boolean;
}

/** Longest socket path that bind(2) takes on Linux and the BSDs (sun_path is 104-108 bytes with its NUL). */
export const MAX_SOCKET_PATH = 103;

export function warmPaths(commonDir: string): WarmPaths {
  const home = join(commonDir, 'coord-hooks', 'warm');
  let dir = home;
  if (join(home, 'sock').length > MAX_SOCKET_PATH) {
    const hash = createHash('sha256').update(commonDir).digest('hex').slice(0, 16);
    dir = join(tmpdir(), `coord-hooks-${process.getuid?.() ?? 'user'}`, hash);
  }
  return { dir, socket: join(dir, 'sock'), client: join(home, 'client'), log: join(home, 'warm.log'), inTmp: dir !== home };
}
