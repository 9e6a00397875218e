/**
 * Problems in an allowed-signers file (ssh-keygen's ALLOWED SIGNERS format:
 * `principals [options] keytype base64-key [comment]`) that would silently cost someone their key:
 * ssh-keygen skips a line it cannot parse, so a typo in the architect's own line would leave no
 * architect able to sign for the protected branch. Checked when a push changes the policy branch.
 */
import type { PolicyProblem } from '../policy/types';

const KEY_TYPES = new Set([
  'ssh-ed25519', 'ssh-rsa', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com', 'sk-ecdsa-sha2-nistp256@openssh.com',
]);
const OPTION = /^(cert-authority|namespaces="[^"]*"|valid-after="?\d{8,14}Z?"?|valid-before="?\d{8,14}Z?"?)$/i;

/** Splits on blanks outside double quotes. Each token with its column (1-based). */
function tokens(line: string): { text: string; col: number }[] {
  const found: { text: string; col: number }[] = [];
  let index = 0;
  while (index < line.length) {
    while (index < line.length && /\s/.test(line[index])) index++;
    if (index >= line.length) break;
    const start = index;
    let quoted = false;
    while (index < line.length && (quoted || !/\s/.test(line[index]))) {
      if (line[index] === '"') quoted = !quoted;
      index++;
    }
    found.push({ text: line.slice(start, index), col: start + 1 });
  }
  return found;
}

/** How many length-prefixed strings each key type's blob holds (its type name first). */
const FIELDS: Record<string, number> = {
  'ssh-ed25519': 2, 'ssh-rsa': 3, 'ecdsa-sha2-nistp256': 3, 'ecdsa-sha2-nistp384': 3, 'ecdsa-sha2-nistp521': 3,
  'sk-ssh-ed25519@openssh.com': 3, 'sk-ecdsa-sha2-nistp256@openssh.com': 4,
};

/**
 * The key type a base64 public-key blob declares inside itself, when the blob is exactly that type's
 * sequence of length-prefixed strings (a character lost or added in the paste breaks it); else null.
 */
function embeddedType(base64: string): string | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 !== 0) return null;
  const blob = Buffer.from(base64, 'base64');
  const fields: Buffer[] = [];
  for (let offset = 0; offset < blob.length;) {
    if (offset + 4 > blob.length) return null;
    const length = blob.readUInt32BE(offset);
    if (length === 0 || offset + 4 + length > blob.length) return null;
    fields.push(blob.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  const type = fields[0]?.toString('latin1') ?? '';
  return FIELDS[type] === fields.length && (type !== 'ssh-ed25519' || fields[1].length === 32) ? type : null;
}

export interface SignersCheck {
  problems: PolicyProblem[];
  /** Principal patterns of the lines that parse (comma-separated lists split). */
  principals: Set<string>;
}

export function checkSignersFile(file: string, text: string): SignersCheck {
  const problems: PolicyProblem[] = [];
  const principals = new Set<string>();
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (!line.trim() || line.trim().startsWith('#')) return;
    const problem = (col: number, message: string, fix: string) => problems.push({ file, line: index + 1, col, message, fix });
    const parts = tokens(line);
    const typeAt = parts.findIndex((part, position) => position > 0 && KEY_TYPES.has(part.text));
    if (typeAt < 0) {
      problem(parts[0].col, 'this line names no key type that ssh-keygen knows (ssh-ed25519, ecdsa-sha2-nistp256, ssh-rsa, ...); ssh-keygen skips it, so its key signs nothing',
        'write `<principal> namespaces="git" <the one line of the .pub file>` (`coord-hooks keys --create` prints it)');
      return;
    }
    for (const option of parts.slice(1, typeAt)) {
      for (const item of option.text.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) {
        if (!OPTION.test(item)) problem(option.col, `unknown or malformed option "${item}" (ssh-keygen skips the whole line)`, 'use namespaces="git", valid-after="YYYYMMDD", valid-before="YYYYMMDD" or cert-authority, comma-separated without spaces');
      }
    }
    const key = parts[typeAt + 1];
    if (!key) {
      problem(parts[typeAt].col, `no key after "${parts[typeAt].text}"`, 'paste the whole line of the .pub file after the principal');
      return;
    }
    const inner = embeddedType(key.text);
    if (inner !== parts[typeAt].text) {
      problem(key.col, inner === null ? 'the key is not valid base64 of an OpenSSH public key (a character lost or added?)' : `the key's data says "${inner}", not "${parts[typeAt].text}"`,
        'paste the key again from the .pub file');
      return;
    }
    for (const name of parts[0].text.replace(/"/g, '').split(',')) if (name) principals.add(name);
  });
  return { problems, principals };
}
