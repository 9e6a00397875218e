/**
 * ADVISORY, like guard-bash.ts: the files a PowerShell command obviously writes, from its text.
 * Sees `>`/`>>` redirections and the cmdlets that write (Set-Content, Add-Content, Out-File, New-Item,
 * Remove-Item, Copy-Item and Move-Item destinations, Rename-Item, Clear-Content, Tee-Object, and their
 * common aliases) with literal paths, following Set-Location/cd; and skips of the client hooks
 * (`--no-verify`, `$env:COORD_HOOKS = '0'`). Anything computed (`$var`, `$(…)`) passes.
 */
import { isAbsolute, resolve } from 'path';
import type { BashVerdict, BashWrite } from './guard-bash';

interface Word { text: string; dynamic: boolean }

/** Cmdlet (lower case) → its canonical name; aliases included. */
const CMDLETS: Record<string, string> = {
  'set-content': 'Set-Content', sc: 'Set-Content', 'add-content': 'Add-Content', ac: 'Add-Content', 'out-file': 'Out-File',
  'new-item': 'New-Item', ni: 'New-Item', mkdir: 'New-Item', md: 'New-Item', 'remove-item': 'Remove-Item', ri: 'Remove-Item', rm: 'Remove-Item', del: 'Remove-Item',
  erase: 'Remove-Item', rd: 'Remove-Item', rmdir: 'Remove-Item', 'copy-item': 'Copy-Item', cp: 'Copy-Item', copy: 'Copy-Item', cpi: 'Copy-Item',
  'move-item': 'Move-Item', mv: 'Move-Item', move: 'Move-Item', mi: 'Move-Item', 'rename-item': 'Rename-Item', ren: 'Rename-Item', rni: 'Rename-Item',
  'clear-content': 'Clear-Content', clc: 'Clear-Content', 'tee-object': 'Tee-Object', tee: 'Tee-Object',
};
/** Named parameters that give the written path, per cmdlet; and which positional operand is the target. */
const TARGET_PARAMS: Record<string, { named: string[]; positional: number | 'all' }> = {
  'Set-Content': { named: ['-path', '-literalpath'], positional: 0 }, 'Add-Content': { named: ['-path', '-literalpath'], positional: 0 },
  'Out-File': { named: ['-filepath', '-literalpath', '-path'], positional: 0 }, 'New-Item': { named: ['-path'], positional: 0 },
  'Remove-Item': { named: ['-path', '-literalpath'], positional: 'all' }, 'Copy-Item': { named: ['-destination'], positional: 1 },
  'Move-Item': { named: ['-destination'], positional: 1 }, 'Rename-Item': { named: ['-path', '-literalpath'], positional: 0 },
  'Clear-Content': { named: ['-path', '-literalpath'], positional: 'all' }, 'Tee-Object': { named: ['-filepath', '-literalpath', '-path'], positional: 0 },
};
const SWITCHES = new Set(['-force', '-recurse', '-confirm', '-whatif', '-append', '-noclobber', '-passthru', '-nonewline', '-erroraction', '-itemtype', '-value', '-encoding', '-name', '-newname']);
const WITH_VALUE = new Set(['-erroraction', '-itemtype', '-value', '-encoding', '-name', '-newname', '-filter', '-include', '-exclude', '-inputobject']);

/** Statements of words; `;`, `|`, `&&`, `||` and newlines separate; redirections are kept as words. */
function statements(command: string): Word[][] {
  const out: Word[][] = [];
  let words: Word[] = [];
  let word: Word | null = null;
  const flush = () => { if (word) words.push(word); word = null; };
  const end = () => { flush(); if (words.length) out.push(words); words = []; };
  for (let i = 0; i < command.length; i++) {
    const ch = command[i];
    if (ch === "'") {
      const close = command.indexOf("'", i + 1);
      word ??= { text: '', dynamic: false };
      word.text += command.slice(i + 1, close < 0 ? undefined : close);
      i = close < 0 ? command.length : close;
    } else if (ch === '"') {
      word ??= { text: '', dynamic: false };
      for (i += 1; i < command.length && command[i] !== '"'; i++) {
        if (command[i] === '`' && i + 1 < command.length) { word.text += command[++i]; continue; }
        if (command[i] === '$') word.dynamic = true;
        word.text += command[i];
      }
    } else if (ch === '#' && word === null) {
      while (i < command.length && command[i] !== '\n') i++;
      end();
    } else if (ch === ';' || ch === '\n' || ch === '|' || (ch === '&' && command[i + 1] === '&')) {
      if (ch === '&' || (ch === '|' && command[i + 1] === '|')) i++;
      end();
    } else if (ch === ' ' || ch === '\t') {
      flush();
    } else if (ch === '>' && (word === null || /^[0-9*]$/.test(word.text))) {
      const op = (word?.text ?? '') + (command[i + 1] === '>' ? '>>' : '>');
      if (command[i + 1] === '>') i++;
      word = null;
      words.push({ text: op, dynamic: false });
    } else {
      word ??= { text: '', dynamic: false };
      if (ch === '$') word.dynamic = true;
      word.text += ch;
    }
  }
  end();
  return out;
}

export function powershellWrites(command: string, cwd: string): BashVerdict {
  const writes: BashWrite[] = [];
  let skipsHooks: string | null = null;
  let dir = cwd;
  const push = (word: Word | undefined, how: string, directory = false) => {
    if (!word || word.dynamic || word.text === '' || word.text.startsWith('~') || /^(\$null|nul)$/i.test(word.text)) return;
    const text = word.text.replace(/\\/g, '/');
    writes.push({ path: isAbsolute(text) ? resolve(text) : resolve(dir, text), how, directory });
  };
  if (/\$env:COORD_HOOKS\s*=\s*['"]?0/i.test(command)) skipsHooks = '$env:COORD_HOOKS = 0';
  for (const words of statements(command)) {
    if (words.some((word) => word.text === '--no-verify') && /^git(\.exe)?$/i.test(words[0].text)) skipsHooks = 'git --no-verify';
    const rest: Word[] = [];
    for (let i = 0; i < words.length; i++) {
      if (/^[0-9*]?>>?$/.test(words[i].text)) { push(words[i + 1], `\`${words[i].text}\` redirection`); i++; continue; }
      rest.push(words[i]);
    }
    const name = rest[0]?.text.toLowerCase();
    if (!name) continue;
    if ((name === 'cd' || name === 'set-location' || name === 'sl' || name === 'chdir' || name === 'push-location' || name === 'pushd') && rest[1] && !rest[1].dynamic && !rest[1].text.startsWith('-')) {
      dir = resolve(dir, rest[1].text.replace(/\\/g, '/'));
      continue;
    }
    const cmdlet = CMDLETS[name];
    if (!cmdlet) continue;
    const spec = TARGET_PARAMS[cmdlet];
    const operands: Word[] = [];
    const args = rest.slice(1);
    for (let i = 0; i < args.length; i++) {
      const text = args[i].text.toLowerCase();
      const [param, inline] = text.includes(':') && text.startsWith('-') ? [text.slice(0, text.indexOf(':')), args[i].text.slice(text.indexOf(':') + 1)] : [text, null];
      if (spec.named.some((named) => named.startsWith(param) && param.length > 2)) {
        if (inline !== null) push({ text: inline, dynamic: args[i].dynamic }, cmdlet);
        else push(args[++i], cmdlet);
        continue;
      }
      if (text.startsWith('-')) { if (WITH_VALUE.has(param) && inline === null) i++; else if (!SWITCHES.has(param) && inline === null && args[i + 1] && !args[i + 1].text.startsWith('-')) i++; continue; }
      operands.push(args[i]);
    }
    const directory = cmdlet === 'Remove-Item' || (cmdlet === 'New-Item' && /directory/i.test(rest.map((word) => word.text).join(' ')));
    if (spec.positional === 'all') operands.forEach((word) => push(word, cmdlet, directory));
    else push(operands[spec.positional], cmdlet, directory);
  }
  return { writes, skipsHooks };
}
