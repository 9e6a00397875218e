/** The demo's voice: step headers, commands as a person would type them, indented output. Colour only on a TTY without NO_COLOR. */
import type { CommandIO } from '../core/io';

export interface Narrator {
  step(title: string): void;
  say(text: string): void;
  command(who: string, line: string): void;
  output(text: string, tone?: 'plain' | 'good' | 'bad'): void;
}

export function narrator(io: CommandIO): Narrator {
  const colour = io.isTTY && !io.env.NO_COLOR;
  const paint = (code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
  let steps = 0;
  return {
    step(title) {
      steps += 1;
      io.out(`\n${paint('1;36', `── ${steps}. ${title}`)}\n`);
    },
    say(text) {
      io.out(`${text}\n`);
    },
    command(who, line) {
      io.out(`${paint('2', `[${who}]`)} ${paint('1', `$ ${line}`)}\n`);
    },
    output(text, tone = 'plain') {
      const body = text.replace(/\s+$/, '');
      if (!body) return;
      const code = tone === 'good' ? '32' : tone === 'bad' ? '31' : '0';
      io.out(body.split('\n').map((line) => `    ${tone === 'plain' ? line : paint(code, line)}`).join('\n') + '\n');
    },
  };
}
