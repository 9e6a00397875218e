/**
 * ADVISORY: the files a Bash command obviously writes, read from the command text. A shell is a
 * programming language; this sees `>`/`>>` redirections, `tee`, `mv`/`cp` destinations, `rm`,
 * `sed -i`, `touch` and `mkdir` with literal paths (tracking `cd DIR`), and skips of the client hooks
 * (`--no-verify`, `COORD_HOOKS=0`). Anything computed (`$VAR`, `$(…)`, globs in a variable, scripts
 * that write) passes: the server gate catches what this misses.
 */
import { statSync } from 'fs';
import { basename, isAbsolute, resolve } from 'path';

export interface BashWrite {
  /** Absolute path (normalised, symlinks not yet resolved). */
  path: string;
  /** How the command writes it, for the message: "`>` redirection", "rm", ... */
  how: string;
  /** Written as a directory (`rm -r d/`, `mkdir d`): in scope when its contents are. */
  directory: boolean;
}

export interface BashVerdict {
  writes: BashWrite[];
  /** How the command switches coord-hooks' client hooks off, when it does. */
  skipsHooks: string | null;
}

interface Word { text: string; dynamic: boolean }
type Token = { kind: 'word'; word: Word } | { kind: 'op'; text: string };

const SEPARATORS = new Set([';', '&&', '||', '|', '|&', '&', '\n', '(', ')']);
const REDIRECT = /^(?:[0-9]*>>?|&>>?|[0-9]*>\||[0-9]*<|[0-9]*<<-?|[0-9]*<<<|[0-9]*>&|[0-9]*<&|<>)$/;

const OPERATOR = /^(?:&&|\|\||\|&|;;|[0-9]*>>|[0-9]*>\||[0-9]*>&|[0-9]*<<<|[0-9]*<<-|[0-9]*<<|[0-9]*<&|<>|&>>|&>|[0-9]*>|[0-9]*<|[;&|()\n])/;

/** Splits a command into words and operators, with POSIX quoting; comments and heredoc bodies are dropped. */
export function tokenize(command: string): Token[] {
  const tokens: Token[] = [];
  const heredocs: { delimiter: string; strip: boolean }[] = [];
  let heredocOp: { strip: boolean } | null = null;
  let word: Word | null = null;
  const start = (): Word => (word ??= { text: '', dynamic: false });
  const add = (text: string, dynamic = false) => { const current = start(); current.text += text; current.dynamic ||= dynamic; };
  const flush = () => {
    if (word === null) return;
    tokens.push({ kind: 'word', word });
    if (heredocOp) heredocs.push({ delimiter: word.text, strip: heredocOp.strip });
    heredocOp = null;
    word = null;
  };
  let i = 0;
  while (i < command.length) {
    const ch = command[i];
    if (ch === '\\') { add(command[i + 1] === '\n' ? '' : command[i + 1] ?? ''); i += 2; continue; }
    if (ch === "'") {
      const end = command.indexOf("'", i + 1);
      add(command.slice(i + 1, end < 0 ? undefined : end));
      i = end < 0 ? command.length : end + 1;
      continue;
    }
    if (ch === '"') {
      start();
      for (i += 1; i < command.length && command[i] !== '"'; i++) {
        if (command[i] === '\\' && i + 1 < command.length) add(command[++i]);
        else add(command[i], command[i] === '$' || command[i] === '`');
      }
      i += 1;
      continue;
    }
    if (ch === '$' || ch === '`') { add(ch, true); i += 1; continue; }
    if (ch === '#' && word === null) { while (i < command.length && command[i] !== '\n') i++; continue; }
    if (ch === ' ' || ch === '\t') { flush(); i += 1; continue; }
    const op = OPERATOR.exec(command.slice(i));
    if (op && (word === null || !/^[0-9]/.test(op[0]))) {
      flush();
      const text = op[0] === ';;' ? ';' : op[0];
      tokens.push({ kind: 'op', text });
      if (/<<-?$/.test(text)) heredocOp = { strip: text.endsWith('-') };
      i += op[0].length;
      if (text === '\n' && heredocs.length) i = skipHeredocs(command, i, heredocs.splice(0));
      continue;
    }
    add(ch);
    i += 1;
  }
  flush();
  return tokens;
}

function skipHeredocs(command: string, start: number, docs: { delimiter: string; strip: boolean }[]): number {
  let i = start;
  for (const doc of docs) {
    while (i < command.length) {
      const end = command.indexOf('\n', i);
      const line = command.slice(i, end < 0 ? undefined : end);
      i = end < 0 ? command.length : end + 1;
      if ((doc.strip ? line.replace(/^\t+/, '') : line) === doc.delimiter) break;
    }
  }
  return i;
}

interface SimpleCommand { words: Word[]; redirects: { op: string; target: Word }[] }

function simpleCommands(tokens: Token[]): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  let current: SimpleCommand = { words: [], redirects: [] };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.kind === 'op' && SEPARATORS.has(token.text)) {
      out.push(current);
      current = { words: [], redirects: [] };
    } else if (token.kind === 'op' && REDIRECT.test(token.text)) {
      const next = tokens[i + 1];
      if (next?.kind === 'word') { current.redirects.push({ op: token.text, target: next.word }); i += 1; }
    } else if (token.kind === 'word') {
      current.words.push(token.word);
    }
  }
  out.push(current);
  return out.filter((command) => command.words.length || command.redirects.length);
}

const PREFIXES = new Set(['sudo', 'command', 'env', 'nohup', 'time', 'exec', 'builtin']);
const VALUE_OPTIONS: Record<string, Set<string>> = {
  touch: new Set(['-d', '-r', '-t']), mkdir: new Set(['-m']), cp: new Set(['-S']), mv: new Set(['-S']), tee: new Set(), rm: new Set(),
};

/** Operands (non-options) of a command's arguments; `--` ends the options. */
function operands(name: string, args: Word[]): Word[] {
  const out: Word[] = [];
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const text = args[i].text;
    if (options && text === '--') { options = false; continue; }
    if (options && text.startsWith('-') && text !== '-') { if (VALUE_OPTIONS[name]?.has(text)) i += 1; continue; }
    out.push(args[i]);
  }
  return out;
}

function sedFiles(args: Word[]): Word[] | null {
  let inPlace = false;
  let scriptGiven = false;
  const rest: Word[] = [];
  for (let i = 0; i < args.length; i++) {
    const text = args[i].text;
    if (text === '-e' || text === '-f' || text === '--expression' || text === '--file') { scriptGiven = true; i += 1; continue; }
    if (text.startsWith('--expression=') || text.startsWith('--file=')) { scriptGiven = true; continue; }
    if (text.startsWith('--in-place')) { inPlace = true; continue; }
    if (/^-[a-zA-Z]/.test(text)) { if (/^-[a-hj-zA-Z]*i/.test(text)) inPlace = true; if (/^-[a-zA-Z]*[ef]$/.test(text)) { scriptGiven = true; i += 1; } continue; }
    rest.push(args[i]);
  }
  return inPlace ? (scriptGiven ? rest : rest.slice(1)) : null;
}

function targetsOf(name: string, args: Word[], cwd: string, isDirectory: (path: string) => boolean): Word[] {
  switch (name) {
    case 'tee': case 'rm': case 'touch': case 'mkdir': return operands(name, args);
    case 'mv': case 'cp': {
      const target = args.findIndex((arg) => arg.text === '-t' || arg.text.startsWith('--target-directory'));
      if (target >= 0) {
        const text = args[target].text;
        return text.includes('=') ? [{ text: text.slice(text.indexOf('=') + 1), dynamic: args[target].dynamic }] : args.slice(target + 1, target + 2);
      }
      const list = operands(name, args);
      if (list.length < 2) return [];
      // Into a directory (trailing "/" or one that exists): each source lands at DIR/<its name>.
      const dest = list[list.length - 1];
      if (dest.dynamic || !(dest.text.endsWith('/') || isDirectory(resolve(cwd, dest.text)))) return [dest];
      return list.slice(0, -1).map((source) => ({ text: `${dest.text.replace(/\/+$/, '')}/${basename(source.text)}`, dynamic: source.dynamic }));
    }
    case 'sed': return sedFiles(args) ?? [];
    default: return [];
  }
}

function existingDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;

/** The literal paths the command writes (relative ones resolved against `cwd`, following `cd`), and any hook skip. */
export function bashWrites(command: string, cwd: string, isDirectory: (path: string) => boolean = existingDirectory): BashVerdict {
  const writes: BashWrite[] = [];
  let skipsHooks: string | null = null;
  let dir = cwd;
  const push = (word: Word, how: string, directory = false) => {
    const text = word.text;
    if (word.dynamic || text === '' || text.startsWith('~') || text === '-') return;
    const path = isAbsolute(text) ? resolve(text) : resolve(dir, text);
    writes.push({ path, how, directory: directory || text.endsWith('/') || isDirectory(path) });
  };
  for (const simple of simpleCommands(tokenize(command))) {
    for (const redirect of simple.redirects) {
      if (/>/.test(redirect.op) && !/>&$/.test(redirect.op)) push(redirect.target, `\`${redirect.op}\` redirection`);
      else if (/>&$/.test(redirect.op) && !/^[0-9-]+$/.test(redirect.target.text)) push(redirect.target, `\`${redirect.op}\` redirection`);
    }
    let first = 0;
    let afterPrefix = false;
    for (; first < simple.words.length; first++) {
      const text = simple.words[first].text;
      if (ASSIGNMENT.test(text)) { if (text === 'COORD_HOOKS=0') skipsHooks = 'COORD_HOOKS=0'; continue; }
      if (PREFIXES.has(text)) { afterPrefix = true; continue; }
      if (!(afterPrefix && text.startsWith('-'))) break;
    }
    const words = simple.words.slice(first);
    if (!words.length) continue;
    const name = words[0].text.split('/').pop() ?? '';
    const args = words.slice(1);
    if (name === 'export' && args.some((arg) => arg.text === 'COORD_HOOKS=0')) skipsHooks = 'COORD_HOOKS=0';
    if (name === 'git' && args.some((arg) => arg.text === '--no-verify')) skipsHooks = 'git --no-verify';
    if (name === 'cd') {
      const target = args.find((arg) => !arg.text.startsWith('-'));
      if (target && !target.dynamic && !target.text.startsWith('~')) dir = resolve(dir, target.text);
      continue;
    }
    const directory = name === 'mkdir' || (name === 'rm' && args.some((arg) => /^-[a-zA-Z]*[rR]|^--recursive$/.test(arg.text)));
    for (const target of targetsOf(name, args, dir, isDirectory)) push(target, name === 'sed' ? 'sed -i' : name, directory);
  }
  return { writes, skipsHooks };
}
