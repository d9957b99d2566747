/**
 * The `latentloom` command as a function (main.ts is the process entry; tests call this
 * in-process). Exit codes: 0 success, 1 invalid graph or failed run, 2 bad usage, 130 cancelled
 * by Ctrl+C (143 by SIGTERM; see runCommand.ts). Never prints a stack trace for bad input.
 */
import { parseArgs, USAGE, UsageError, type ParsedArgs } from './args.ts';

// Commands are imported when chosen, so `--help` and a bad flag answer without loading the engine.
const COMMANDS: Record<string, () => Promise<(args: ParsedArgs, print: (line: string) => void, log: (line: string) => void) => Promise<number>>> = {
  validate: async () => (await import('./validateCommand.ts')).validateCommand,
  run: async () => (await import('./runCommand.ts')).runCommand,
  convert: async () => (await import('./convertCommand.ts')).convertCommand,
  import: async () => (await import('./importCommand.ts')).importCommand,
  sweep: async () => (await import('./sweepCommand.ts')).sweepCommand,
  serve: async () => (await import('../server/serveCommand.ts')).serveCommand,
  worker: async () => (await import('../server/serveCommand.ts')).workerCommand,
};

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
    if (Object.hasOwn(COMMANDS, args.command)) {
      const command = await COMMANDS[args.command]();
      return await command(args, print, log);
    }
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

