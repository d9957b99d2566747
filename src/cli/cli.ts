/**
 * The `latentloom` command as a function (main.ts is the process entry; tests call this
 * in-process). Exit codes: 0 success, 1 invalid graph or failed run, 2 bad usage, 130 cancelled
 * by Ctrl+C (143 by SIGTERM; see runCommand.ts). Never prints a stack trace for bad input.
 */
import { parseArgs, USAGE, UsageError } from './args.ts';
import { runCommand } from './runCommand.ts';
import { validateCommand } from './validateCommand.ts';
import { convertCommand } from './convertCommand.ts';
import { importCommand } from './importCommand.ts';
import { sweepCommand } from './sweepCommand.ts';
import { serveCommand, workerCommand } from '../server/serveCommand.ts';

export interface CliIo {
  /** Results (stdout). */
  print(line: string): void;
  /** Progress and diagnostics (stderr). */
  log(line: string): void;
}

/**
 * Graph files are untrusted and their ids, types and messages reach the terminal: control
 * characters (C0 but tab and newline, DEL, C1) are written as visible `\u001b`-style escapes so a
 * shared file cannot retitle, clear or repaint the user's terminal.
 */
export function escapeControl(line: string): string {
  // eslint-disable-next-line no-control-regex
  return line.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export const processIo: CliIo = {
  print: (line) => process.stdout.write(`${escapeControl(line)}\n`),
  log: (line) => process.stderr.write(`${escapeControl(line)}\n`),
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
    if (args.command === 'convert') return await convertCommand(args, print, log);
    if (args.command === 'import') return await importCommand(args, print, log);
    if (args.command === 'serve') return await serveCommand(args, print, log);
    if (args.command === 'sweep') return await sweepCommand(args, print, log);
    if (args.command === 'worker') return await workerCommand(args, print, log);
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

