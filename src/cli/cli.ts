/**
 * The `latentloom` command as a function (main.ts is the process entry; tests call this
 * in-process). Exit codes: 0 success, 1 invalid graph or failed run, 2 bad usage. Never prints a
 * stack trace for bad input.
 */
import { parseArgs, USAGE, UsageError } from './args.ts';
import { runCommand } from './runCommand.ts';
import { validateCommand } from './validateCommand.ts';

export interface CliIo {
  /** Results (stdout). */
  print(line: string): void;
  /** Progress and diagnostics (stderr). */
  log(line: string): void;
}

export const processIo: CliIo = {
  print: (line) => process.stdout.write(`${line}\n`),
  log: (line) => process.stderr.write(`${line}\n`),
};

export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const { print, log } = io;
  try {
    const args = parseArgs(argv);
    if (args.help || args.command === undefined || args.command === 'help') {
      print(USAGE);
      return args.command === undefined && !args.help ? 2 : 0;
    }
    if (args.command === 'validate') return await validateCommand(args, print);
    if (args.command === 'run') return await runCommand(args, print, log);
    throw new UsageError(`Unknown command "${args.command}"`);
  } catch (error) {
    if (error instanceof UsageError) {
      log(`latentloom: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    log(`latentloom: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

