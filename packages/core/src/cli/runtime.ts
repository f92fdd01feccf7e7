/**
 * The runtime both CLIs (`data`, `trainer`) share: running a commander program with one-line errors and exit codes by
 * error kind, and the option parsers. Exported as `@hogwild/core/cli`, apart from the library's index, so that
 * neither CLI borrows it from the other's package.
 */
import { CommanderError, InvalidArgumentError, type Command, type Option } from 'commander';
import { SIGNAL_FALLBACK } from '../atomic-file.ts';
import { HogwildError, type ErrorKind, type HogwildErrorOptions } from '../errors.ts';
import { nearestName } from '../nearest-name.ts';
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
    if (e instanceof CommandLineError) {
      process.stderr.write(`${program.name()}: ${printable(e.message, 1000)} (see ${e.help})\n`);
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
 * A usage error found while commander reads the command line, with the help command that explains the usage
 * (`trainer run --help`). Its message is composed here from what commander knows (the option, the value, the
 * command), never from commander's text.
 */
export class CommandLineError extends HogwildError {
  /** The help command the message refers to (`trainer run --help`). */
  readonly help: string;
  constructor(message: string, help: string, options?: HogwildErrorOptions) {
    super('E_USAGE', message, options);
    this.name = 'CommandLineError';
    this.help = help;
  }
}

/**
 * The methods by which commander 14 reports a bad command line (each calls `error()` with its own text). The CLIs
 * replace them on every command, so that each problem is a {@link CommandLineError} made from its parts.
 */
interface CommanderReports {
  unknownOption(flag: string): void;
  unknownCommand(): void;
  missingArgument(name: string): void;
  optionMissingArgument(option: Option): void;
  missingMandatoryOptionValue(option: Option): void;
  _excessArguments(received: readonly string[]): void;
}

/**
 * Subcommands made before exitOverride() do not inherit it: set it on the whole tree. Usage errors become one line
 * that names the program, as every other error here: `trainer: option '--workers <n>' argument 'x' is invalid: … (see trainer run --help)`.
 */
function overrideExit(cmd: Command, root: Command = cmd): void {
  cmd.exitOverride();
  cmd.showHelpAfterError(false);
  const help = cmd === root ? `${root.name()} --help` : `${root.name()} ${cmd.name()} --help`;
  const usage = (message: string, field?: string): CommandLineError => new CommandLineError(message, help, { field });
  const reports = cmd as unknown as CommanderReports;
  reports.unknownOption = (flag) => {
    const near = flag.startsWith('--') ? nearestName(flag, longFlags(cmd)) : null;
    throw usage(`unknown option '${flag}'${near ? ` (did you mean ${near}?)` : ''}`);
  };
  reports.unknownCommand = () => {
    const name = String(cmd.args[0]);
    const near = nearestName(name, cmd.createHelp().visibleCommands(cmd).map((c) => c.name()));
    throw usage(`unknown command '${name}'${near ? ` (did you mean ${near}?)` : ''}`);
  };
  reports.missingArgument = (name) => { throw usage(`missing required argument '${name}'`); };
  reports.optionMissingArgument = (option) => { throw usage(`option '${option.flags}' argument missing`, option.attributeName()); };
  reports.missingMandatoryOptionValue = (option) => { throw usage(`required option '${option.flags}' not specified`, option.attributeName()); };
  reports._excessArguments = (received) => {
    const expected = cmd.registeredArguments.length;
    throw usage(`too many arguments${cmd === root ? '' : ` for '${cmd.name()}'`}: expected ${expected} argument${expected === 1 ? '' : 's'}, got ${received.length}`);
  };
  for (const option of cmd.options) checkValues(option, usage);
  // Errors commander reports otherwise (none of the CLIs' options can raise one) print as commander words them.
  cmd.configureOutput({ outputError: (str, write) => write(`${root.name()}: ${str.trimEnd()} (see ${help})\n`) });
  for (const sub of cmd.commands) overrideExit(sub, root);
}

/** The long flags a command accepts, its parents' included (`--epochs`, `--help`): what an unknown option is near. */
function longFlags(cmd: Command): string[] {
  const flags: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) {
    for (const o of c.createHelp().visibleOptions(c)) if (o.long) flags.push(o.long);
  }
  return flags;
}

/**
 * An option's value check, reported from its parts: the flag, the value and the problem (a parser's
 * InvalidArgumentError, our error's `problem`, or the choices the value is not one of).
 */
function checkValues(option: Option, usage: (message: string, field?: string) => CommandLineError): void {
  const parse = option.parseArg;
  const choices = option.argChoices;
  if (!parse && !choices) return;
  const invalid = (value: string, problem: string): CommandLineError => usage(`option '${option.flags}' argument '${value}' is invalid: ${problem}`, option.attributeName());
  option.parseArg = <T>(value: string, previous: T): T => {
    if (choices && !choices.includes(value)) throw invalid(value, `expected one of ${choices.join(', ')}`);
    try {
      return parse ? parse(value, previous) : value as T;
    } catch (e) {
      if (e instanceof InvalidArgumentError) throw invalid(value, e.message);
      if (e instanceof HogwildError && e.problem !== undefined) throw invalid(value, e.problem);
      throw e;
    }
  };
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
