/**
 * The runtime both CLIs (`data`, `trainer`) share: running a commander program with one-line errors and exit codes by
 * error kind, and the option parsers. Exported as `@hogwild/core/cli`, apart from the library's index, so that
 * neither CLI borrows it from the other's package.
 */
import { CommanderError, InvalidArgumentError, type Command } from 'commander';
import { SIGNAL_FALLBACK } from '../atomic-file.ts';
import { HogwildError, type ErrorKind } from '../errors.ts';
import { printable } from '../printable.ts';

export { fittedFormat, type LineFormatter } from './progress-line.ts';

/** Exit codes of every hogwild command. */
export const EXIT = { ok: 0, input: 1, usage: 2, interrupted: 130 } as const;

/** The exit code of each error kind: a failed worker and a bug exit as bad input does. */
export const EXIT_BY_KIND: Readonly<Record<ErrorKind, number>> = { input: EXIT.input, usage: EXIT.usage, worker: EXIT.input, interrupted: EXIT.interrupted, internal: EXIT.input };

/**
 * Runs a commander program as a CLI: bad usage exits 2 with commander's message, bad input exits 1 with one line
 * on stderr (`hogwild: FILE: problem`), and a stack trace only with --debug. A Ctrl-C exits 130 with one line
 * (`trainer: interrupted`), unless the command handles it itself (trainer run stops at the next chunk).
 */
export async function runCli(program: Command, argv: readonly string[]): Promise<number> {
  if (!process.stdout.listeners('error').includes(quietOnEpipe)) process.stdout.on('error', quietOnEpipe);
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  overrideExit(program);
  const interrupted = exitOnInterrupt(program.name());
  process.on('SIGINT', interrupted);
  try {
    await program.parseAsync(args, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version "errors" are successes; commander already printed its message.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT.ok;
      return EXIT.usage;
    }
    // Our errors (every package's derive from HogwildError) exit by their kind; anything else is a bug and says so.
    if (e instanceof HogwildError && e.kind !== 'internal') {
      // Messages quote files (names, variable names, metadata): printed safe for the terminal, in one line.
      process.stderr.write(`${program.name()}: ${printable(e.message, 1000)}\n`);
      if (debug) process.stderr.write(withCauses(e));
      return EXIT_BY_KIND[e.kind];
    }
    const err = e as Error;
    process.stderr.write(`${program.name()}: internal error: ${printable(err?.message ?? String(e), 1000)}\n`);
    if (debug) process.stderr.write(withCauses(err));
    else process.stderr.write('(run again with --debug for the stack trace)\n');
    return EXIT_BY_KIND.internal;
  } finally {
    process.off('SIGINT', interrupted);
  }
}

/**
 * An error's stack and those of its causes (a library's own error, kept out of the one-line message), for --debug.
 */
function withCauses(e: unknown): string {
  let out = '';
  for (let c = e, depth = 0; c !== undefined && c !== null && depth < 8; c = (c as { cause?: unknown }).cause, depth++) {
    out += `${depth === 0 ? '' : 'caused by: '}${c instanceof Error ? c.stack ?? c.message : String(c)}\n`;
  }
  return out;
}

/**
 * A SIGINT listener that ends the program with `NAME: interrupted` and exit 130, unless a command's own listener is
 * there (see SIGNAL_FALLBACK): so that a Ctrl-C at any moment, loading included, says what happened.
 */
export function exitOnInterrupt(name: string): (signal: NodeJS.Signals) => void {
  return Object.assign(() => {
    if (process.listeners('SIGINT').some((l) => !(SIGNAL_FALLBACK in l))) return;
    process.stderr.write(`${name}: interrupted\n`);
    process.exit(EXIT.interrupted);
  }, { [SIGNAL_FALLBACK]: true });
}

/** Parses a positive integer option value, naming the flag in the error. */
export function positiveInt(min = 1) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`expected an integer ≥ ${min}`);
    }
    return n;
  };
}

/** Parses a number option value in (min, max]. */
export function numberIn(min: number, max = Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= min || n > max) {
      throw new InvalidArgumentError(`expected a number in (${min}, ${max === Infinity ? '∞' : max}]`);
    }
    return n;
  };
}


/** A reader that goes away (`… --json | head -1`) ends the program quietly, as other Unix tools do. */
function quietOnEpipe(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
}

/**
 * Commander's message as one line: `error: unknown option '--epoch'\n(Did you mean --epochs?)` becomes
 * `unknown option '--epoch' (did you mean --epochs?)`, so the suggestion stays on the error's line.
 */
export function oneLine(str: string): string {
  return str.replace(/^error: /, '').trimEnd().replace(/\s*\n\s*\(Did you mean/g, ' (did you mean').replace(/\s*\n\s*/g, ' ')
    .replace(/\.$/, '').replace(/\. (expected)/, ': $1');
}

/**
 * Subcommands made before exitOverride() do not inherit it: set it on the whole tree. Usage errors become one line
 * that names the program, as every other error here: `trainer: option '--workers <n>' argument 'x' is invalid: … (see trainer run --help)`.
 */
function overrideExit(cmd: Command, root: Command = cmd): void {
  cmd.exitOverride();
  cmd.showHelpAfterError(false);
  const help = cmd === root ? `${root.name()} --help` : `${root.name()} ${cmd.name()} --help`;
  cmd.configureOutput({
    outputError: (str, write) => write(`${root.name()}: ${oneLine(str)} (see ${help})\n`),
  });
  for (const sub of cmd.commands) overrideExit(sub, root);
}

/**
 * The "Examples:" block of a program's help: each command as the user types it (`invocation` first: `pnpm trainer` in
 * the workspace, `hogwild-trainer` installed), its note aligned in a column, or on the next line when the command is long.
 */
export function examplesHelp(invocation: string, rows: readonly (readonly [command: string, note?: string])[]): string {
  const column = 53;
  return rows.map(([command, note]) => {
    const line = `  ${invocation} ${command}`;
    if (!note) return line;
    return line.length < column - 1 ? `${line.padEnd(column)}${note}` : `${line}\n${' '.repeat(column)}${note}`;
  }).join('\n');
}
