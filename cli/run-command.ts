/**
 * Runs one command and turns every outcome into an exit code: shared by the CLI (cli/run.ts) and the
 * bundled entry of the GitHub Action and GitLab job (cli/bundle.ts), which must not load the command table.
 */
import { CoordError, ExitCode, EXIT_USAGE, errorMessage } from '../core/errors';
import { GitError } from '../git/run';
import { helpText, parseCommandArgs, type CommandIO, type CommandSpec } from './command';

export async function runCommand(name: string, load: () => Promise<CommandSpec>, rest: string[], io: CommandIO): Promise<number> {
  try {
    const spec = await load();
    const args = parseCommandArgs(spec, rest);
    if (args.values.help) {
      io.out(helpText(spec));
      return 0;
    }
    return await spec.run(args as never, io);
  } catch (error) {
    if (error instanceof ExitCode) return error.exitCode;
    if (error instanceof GitError && /not a git repository/.test(error.stderr)) {
      io.err(`coord-hooks ${name}: ${io.cwd} is not inside a git repository\nhint: run it inside a clone of the project (for the server: coord-hooks install --server --repo PATH)\n`);
      return EXIT_USAGE;
    }
    if (error instanceof CoordError) {
      io.err(`coord-hooks ${name}: ${error.message}\n${error.hint ? `hint: ${error.hint}\n` : ''}`);
      return error.exitCode;
    }
    io.err(`coord-hooks ${name}: internal error: ${errorMessage(error)}\n${error instanceof Error && error.stack ? error.stack.split('\n').slice(1, 4).join('\n') + '\n' : ''}`);
    return EXIT_USAGE;
  }
}
