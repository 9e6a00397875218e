/**
 * What a Claude Code tool call touches, read from its input (the shapes of Claude Code 2.1's tools):
 * paths it writes or reads, and commands it runs. Pure: the guard judges the result.
 *
 * - Write, Edit, MultiEdit (`file_path`), NotebookEdit (`notebook_path`): writes.
 * - Read (`file_path`), Glob (`path` + the pattern's literal directories), Grep (`path`), LSP
 *   (`filePath`): reads.
 * - Bash and Monitor (`command`, run by a POSIX shell), PowerShell (`command`): commands, looked at for
 *   obvious writes (advisory; the OS sandbox and the server gate are what hold).
 * - MCP tools (`mcp__server__tool`) and any other tool: every path-like key of the input (file_path,
 *   path, paths, filename, target, destination, notebook_path, …, nested too). A tool whose name starts
 *   with a reading verb (read, get, list, search, …) reads them; any other writes them. A tool without
 *   path-like keys is allowed.
 */
import { CoordError } from '../core/errors';

export interface PathTarget {
  access: 'write' | 'read';
  /** As given (relative paths are against the call's cwd). */
  raw: string;
  /** The input key it came from, for messages (`file_path`, `edits[0].path`). */
  key: string;
  /** Glob: the pattern's literal directories, resolved against `raw` (an absolute pattern replaces it). */
  below?: string;
  /** Judged as a directory (Glob, Grep: what is below it counts). */
  directory: boolean;
}

export interface CommandTarget {
  shell: 'sh' | 'powershell';
  command: string;
}

export interface ToolTargets {
  paths: PathTarget[];
  commands: CommandTarget[];
  /** Why the call cannot be judged here at all (blocked). */
  unjudgeable?: string;
}

/** Claude Code's field naming an attached machine a call runs on (then paths are another machine's). */
export const HOST_FIELD = '_host';

const WRITE_FIELDS: Record<string, string> = { Write: 'file_path', Edit: 'file_path', MultiEdit: 'file_path', NotebookEdit: 'notebook_path' };
const SHELL_TOOLS: Record<string, CommandTarget['shell']> = { Bash: 'sh', Monitor: 'sh', PowerShell: 'powershell' };

/** Keys whose value is a path (compared without case, `_` and `-`). */
const PATH_KEYS = new Set([
  'path', 'paths', 'file', 'files', 'filepath', 'filepaths', 'filename', 'filenames', 'notebookpath', 'target', 'targetpath', 'targetfile',
  'destination', 'destinationpath', 'dest', 'destpath', 'source', 'sourcepath', 'src', 'srcpath', 'dir', 'directory', 'dirpath', 'folder',
  'output', 'outputpath', 'outputfile', 'outfile', 'newpath', 'oldpath', 'from', 'to', 'root', 'location', 'uri', 'fileuri',
]);
/**
 * A tool whose own name starts with a reading verb reads (`mcp__fs__read_file`, `getFileInfo`), unless
 * a writing word or a conjunction (and, or) stands in it (`read_and_write_file`, `get_or_create_file`); any other may
 * write. Verbs that can also write (open, fetch, check) do not count as reading.
 */
const READ_VERB = /^(read|get|list|ls|search|find|grep|glob|view|show|stat|query|describe|info|inspect|cat|head|tail|lookup|count|diff|preview)(?![a-z])/i;
const WRITE_WORDS = new Set(['write', 'create', 'save', 'edit', 'update', 'delete', 'remove', 'rm', 'move', 'mv', 'rename', 'copy', 'cp', 'put', 'set',
  'append', 'patch', 'mkdir', 'touch', 'upload', 'download', 'install', 'apply', 'replace', 'insert', 'truncate', 'chmod', 'link', 'or', 'and']);
/** The words of a tool name: `read_and_write_file`, `getOrCreateFile` → read, and, write, file / get, or, create, file. */
const words = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
const reads = (name: string) => READ_VERB.test(name) && !words(name).some((word) => WRITE_WORDS.has(word));

function requiredString(input: Record<string, unknown>, tool: string, name: string, required: boolean): string | undefined {
  const value = input[name];
  if (typeof value === 'string' && value !== '') return value;
  if (value === undefined && !required) return undefined;
  throw new CoordError(`tool_input.${name} is missing or not a string in this ${tool} call`);
}

/** The directories of a glob pattern before its first wildcard: what it can reach. */
export function literalPrefix(pattern: string): string {
  const parts = pattern.split('/');
  const literal = [];
  for (const part of parts.slice(0, -1)) {
    if (/[*?[{]/.test(part)) break;
    literal.push(part);
  }
  return (pattern.startsWith('/') ? '/' : '') + literal.filter(Boolean).join('/');
}

/** A string that names a file: not a URL (file:// is stripped), not empty. */
function asPath(value: string): string | null {
  if (value === '') return null;
  if (/^file:\/\//i.test(value)) return decodeURIComponent(value.replace(/^file:\/\/(localhost)?/i, ''));
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return null;
  return value;
}

/** Every path-like key of an MCP (or unknown) tool's input, nested objects and lists included. */
export function pathLikeValues(input: unknown, prefix = '', depth = 0): { key: string; value: string }[] {
  if (depth > 5 || typeof input !== 'object' || input === null) return [];
  const out: { key: string; value: string }[] = [];
  const entries = Array.isArray(input) ? input.map((value, index) => [`[${index}]`, value] as const) : Object.entries(input);
  for (const [name, value] of entries) {
    const key = Array.isArray(input) ? `${prefix}${name}` : prefix ? `${prefix}.${name}` : name;
    const pathKey = PATH_KEYS.has(name.toLowerCase().replace(/[-_]/g, ''));
    if (pathKey && typeof value === 'string') {
      const path = asPath(value);
      if (path !== null) out.push({ key, value: path });
    } else if (pathKey && Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      value.forEach((item, index) => { const path = asPath(item as string); if (path !== null) out.push({ key: `${key}[${index}]`, value: path }); });
    } else if (typeof value === 'object' && value !== null) {
      out.push(...pathLikeValues(value, key, depth + 1));
    }
  }
  return out;
}

/** The tool's own name: `mcp__server__read_file` → `read_file`. */
function ownName(tool: string): string {
  return tool.startsWith('mcp__') ? tool.split('__').slice(2).join('__') || tool : tool;
}

export function toolTargets(tool: string, input: Record<string, unknown>): ToolTargets {
  const host = input[HOST_FIELD];
  if (typeof host === 'string' && host.trim() !== '') {
    return { paths: [], commands: [], unjudgeable: `it runs on the attached machine "${host}", whose files the guard cannot see` };
  }
  if (tool in WRITE_FIELDS) {
    const key = WRITE_FIELDS[tool];
    return { paths: [{ access: 'write', raw: requiredString(input, tool, key, true)!, key, directory: false }], commands: [] };
  }
  if (tool in SHELL_TOOLS) {
    const command = requiredString(input, tool, 'command', tool !== 'Monitor'); // Monitor may open a WebSocket instead
    return { paths: [], commands: command === undefined ? [] : [{ shell: SHELL_TOOLS[tool], command }] };
  }
  switch (tool) {
    case 'Read': return { paths: [{ access: 'read', raw: requiredString(input, tool, 'file_path', true)!, key: 'file_path', directory: false }], commands: [] };
    case 'LSP': {
      const raw = requiredString(input, tool, 'filePath', false);
      return { paths: raw === undefined ? [] : [{ access: 'read', raw, key: 'filePath', directory: false }], commands: [] };
    }
    case 'Glob': {
      const pattern = requiredString(input, tool, 'pattern', false);
      const raw = requiredString(input, tool, 'path', false) ?? '.';
      return { paths: [{ access: 'read', raw, below: pattern ? literalPrefix(pattern) : undefined, key: 'path', directory: true }], commands: [] };
    }
    case 'Grep': return { paths: [{ access: 'read', raw: requiredString(input, tool, 'path', false) ?? '.', key: 'path', directory: true }], commands: [] };
    default: {
      const access = reads(ownName(tool)) ? 'read' : 'write';
      return { paths: pathLikeValues(input).map(({ key, value }) => ({ access, raw: value, key, directory: false })), commands: [] };
    }
  }
}
