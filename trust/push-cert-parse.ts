/**
 * The text of a push certificate (git's pack protocol, "Push Certificate"), parsed strictly:
 *
 *   certificate version 0.1
 *   pusher <ident> <unix seconds> <tz>
 *   pushee <url>                       (optional)
 *   nonce <nonce>                      (optional: present when the server asked)
 *   push-option <option>               (zero or more)
 *   <empty line>
 *   <old> <new> <ref>                  (one or more)
 *   -----BEGIN SSH SIGNATURE----- ...  (or an OpenPGP signature)
 *
 * The payload is every byte before the signature, exactly what the pusher signed.
 */
import type { SignatureKind, SignedPayload } from './signature';

export interface CertUpdate {
  old: string;
  new: string;
  ref: string;
}

export interface PushCertificateText extends SignedPayload {
  version: string;
  pusher: { ident: string; timestamp: number; tz: string };
  pushee: string | null;
  nonce: string | null;
  pushOptions: string[];
  updates: CertUpdate[];
}

const SIGNATURE_START = /^-----BEGIN (SSH SIGNATURE|PGP SIGNATURE|PGP MESSAGE|SIGNED MESSAGE)-----$/;
const OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/** Why a certificate is malformed; parsing stops at the first problem. */
export class CertificateFormatError extends Error {}

function fail(message: string): never {
  throw new CertificateFormatError(message);
}

function kindOf(marker: string): SignatureKind {
  if (marker === 'SSH SIGNATURE') return 'ssh';
  if (marker.startsWith('PGP')) return 'openpgp';
  return 'x509';
}

function parseHeaders(lines: string[]): Omit<PushCertificateText, 'updates' | 'payload' | 'signature' | 'kind'> {
  if (lines[0] !== 'certificate version 0.1') fail(`the first line is ${JSON.stringify(lines[0] ?? '')}, not "certificate version 0.1"`);
  const pusher = /^pusher (.*?) *(\d+) ([+-]\d{4})$/.exec(lines[1] ?? '');
  if (!pusher || !pusher[1]) fail(`the second line is not "pusher <ident> <time> <zone>": ${JSON.stringify(lines[1] ?? '')}`);
  const headers = { version: '0.1', pusher: { ident: pusher[1], timestamp: Number(pusher[2]), tz: pusher[3] }, pushee: null as string | null, nonce: null as string | null, pushOptions: [] as string[] };
  // Order as git writes it: pushee, nonce, then push options; only push-option may repeat.
  const order = ['pushee', 'nonce', 'push-option'];
  let at = -1;
  for (const line of lines.slice(2)) {
    const space = line.indexOf(' ');
    const name = space < 0 ? line : line.slice(0, space);
    const value = space < 0 ? '' : line.slice(space + 1);
    const index = order.indexOf(name);
    if (index < 0) fail(`unknown header line ${JSON.stringify(line)}`);
    if (index < at || (index === at && name !== 'push-option')) fail(`header "${name}" repeated or out of order`);
    at = index;
    if (name === 'pushee') headers.pushee = value;
    else if (name === 'nonce') {
      if (!/^\S+$/.test(value)) fail(`the nonce ${JSON.stringify(value)} is empty or holds white space`);
      headers.nonce = value;
    } else headers.pushOptions.push(value);
  }
  return headers;
}

function parseUpdates(lines: string[]): CertUpdate[] {
  if (lines.length === 0) fail('it lists no ref update');
  const seen = new Set<string>();
  return lines.map((line) => {
    const fields = line.split(' ');
    if (fields.length !== 3 || !OID.test(fields[0]) || !OID.test(fields[1]) || fields[0].length !== fields[1].length || !fields[2].startsWith('refs/')) {
      fail(`not an update line "<old> <new> <ref>": ${JSON.stringify(line)}`);
    }
    if (seen.has(fields[2])) fail(`ref ${fields[2]} is listed twice`);
    seen.add(fields[2]);
    return { old: fields[0], new: fields[1], ref: fields[2] };
  });
}

/** Parses the certificate blob; throws CertificateFormatError naming the first problem. */
export function parseCertificate(raw: Buffer): PushCertificateText {
  // Byte positions from a one-byte-per-byte decoding; field values from UTF-8.
  const lines = raw.toString('latin1').split('\n');
  const sigLine = lines.findIndex((line) => SIGNATURE_START.test(line));
  if (sigLine < 0) fail('it carries no signature block');
  const marker = SIGNATURE_START.exec(lines[sigLine])?.[1] ?? '';
  const payloadLength = lines.slice(0, sigLine).reduce((sum, line) => sum + line.length + 1, 0);
  const body = raw.subarray(0, payloadLength).toString('utf8').split('\n').slice(0, -1);
  const blank = body.indexOf('');
  if (blank < 0) fail('there is no empty line between the headers and the updates');
  const headers = parseHeaders(body.slice(0, blank));
  const updates = parseUpdates(body.slice(blank + 1));
  const signatureLines = lines.slice(sigLine);
  if (signatureLines[signatureLines.length - 1] === '') signatureLines.pop();
  const end = `-----END ${marker}-----`;
  if (signatureLines[signatureLines.length - 1] !== end || signatureLines.slice(1, -1).some((line) => line.startsWith('-----'))) {
    fail(`the signature block does not end with "${end}" as its last line`);
  }
  return {
    ...headers, updates,
    payload: raw.subarray(0, payloadLength),
    signature: raw.subarray(payloadLength).toString('utf8'),
    kind: kindOf(marker),
  };
}
