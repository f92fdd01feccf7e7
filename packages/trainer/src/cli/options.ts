/** The trainer's flags, made from the option definitions (../options.ts), and what the commands share. */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { HogwildError, validateSpec, type NetworkSpec } from '@hogwild/core';
import { checkLabelSmoothing, compileKernel } from '@hogwild/core/internal';
import { MERGE, defaultWorkers, flagOf, type MergeOptions, type NetworkOptions, type OptionDef } from '../options.ts';
import type { KernelName } from '../protocol.ts';
import { ExpectedError, TrainerError, asUsage } from '../errors.ts';

/** A commander option from a definition: the same check as the library's, reported by commander as a usage error (exit 2). */
export function flagOption(def: OptionDef<unknown>, fallback?: unknown): Option {
  const o = new Option(def.flag, def.help);
  if (def.choices) o.choices(def.choices as string[]);
  else if (/[<[]/.test(def.flag)) {
    o.argParser((text: string) => {
      try {
        return def.check(def.parse ? def.parse(text) : text);
      } catch (e) {
        // Commander names the flag itself ("option '--lr <rate>' argument '0' is invalid."): the problem alone follows.
        if (e instanceof ExpectedError) throw new InvalidArgumentError(e.message);
        if (e instanceof HogwildError && e.problem !== undefined) throw new InvalidArgumentError(e.problem);
        throw e;
      }
    });
  }
  if (fallback !== undefined) o.default(fallback);
  return o;
}

/** Adds a group's flags (only those named in `keys`, if given), with the defaults shown in help. */
export function addFlags<G extends Readonly<Record<string, OptionDef<unknown>>>>(cmd: Command, group: G, defaults: object = {}, keys: readonly (keyof G & string)[] = Object.keys(group)): Command {
  for (const k of keys) cmd.addOption(flagOption(group[k], (defaults as Record<string, unknown>)[k]));
  return cmd;
}

/** The attribute commander gives a flag ('--merge-touches <t>' → mergeTouches). */
export function attribute(def: OptionDef<unknown>): string {
  return def.flag.split(' ')[0].replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The network of the flags (a text model's, gradcheck's); a bad one is a usage error naming its flag. */
export function specFromFlags(f: NetworkOptions, defaults: NetworkSpec): NetworkSpec {
  try {
    return validateSpec({ layers: f.layers ?? defaults.layers, activation: f.activation ?? defaults.activation, loss: f.loss ?? defaults.loss });
  } catch (e) {
    throw flagNamed(asUsage(e));
  }
}

/**
 * The network flags given, checked before any data is read (or the bundled MNIST converted), so that a usage error
 * costs nothing: the layers, and label smoothing against a loss given on the command line (without one the loss
 * follows the data's task, known only once the data is read).
 */
export function checkNetworkFlags(f: NetworkOptions & { labelSmoothing?: number }, defaults: NetworkSpec): void {
  if (f.layers !== undefined) specFromFlags(f, defaults);
  if (f.labelSmoothing !== undefined && f.loss !== undefined) checkLabelSmoothing(f.labelSmoothing, f.loss);
}

/** The merge group from the parsed flags (`--merge-touches 128` → { touches: 128 }). */
export function mergeFromFlags(flags: object): MergeOptions {
  const given = flags as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, def] of Object.entries(MERGE)) if (given[attribute(def)] !== undefined) out[key] = given[attribute(def)];
  return out as MergeOptions;
}

/**
 * An error about an option field that has a flag, said of the flag: its message is composed from the flag and the
 * error's problem (`{ field: 'lr', problem: 'expected …' }` → `--lr: expected …`). Any other error as it is.
 */
export function flagNamed(e: unknown): unknown {
  if (!(e instanceof HogwildError) || e.field === undefined || e.problem === undefined) return e;
  const flag = flagOf(e.field);
  if (flag === null) return e;
  const named = new HogwildError(e.code, `${flag}: ${e.problem}`, { field: e.field, cause: e });
  named.stack = e.stack;
  return named;
}

/** Runs a command's action so that an error about an option field names its flag instead (flagNamed). */
export async function namingFlags(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (e) {
    throw flagNamed(e);
  }
}

/**
 * The TypeScript kernel is the fallback: when the WebAssembly kernel was not built (an install that skipped
 * scripts) and --kernel was not given, warn and use it; an explicit --kernel wasm fails with the error.
 */
export function chooseKernel(kernel: KernelName, cmd: Command): KernelName {
  if (kernel !== 'wasm' || cmd.getOptionValueSource('kernel') !== 'default') return kernel;
  try {
    compileKernel();
    return 'wasm';
  } catch (e) {
    if (!(e instanceof HogwildError && e.code === 'E_KERNEL')) throw e;
    process.stderr.write(`warning: ${e.message}; using the TypeScript kernel\n`);
    return 'ts';
  }
}

export const jsonOption = () => new Option('--json', 'print JSON lines instead of text (and no progress bars)');

/** --data/--test, or the bundled MNIST (converted to Arrow in the cache on first use). */
export async function resolveFiles(data: string | undefined, test: string | undefined, log: (s: string) => void): Promise<{ train: string; test?: string; mnist: boolean }> {
  if (data === undefined) {
    if (test !== undefined) throw new TrainerError('E_USAGE', '--test needs --data: give the training set too, or neither for the bundled MNIST');
    // Loaded here, not at the top: `@hogwild/data` brings Arrow and the Parquet readers, which `--help` does not need.
    const { ensureMnist } = await import('@hogwild/data');
    const files = await ensureMnist((e) => { if (e.action === 'converted') log(`converted bundled MNIST ${e.split} set to ${e.file} (${e.seconds.toFixed(2)} s)`); });
    return { train: files.train, test: files.test, mnist: true };
  }
  return { train: data, test, mnist: false };
}

/** Warns (once, on stderr) when more workers than cores are asked for (threads then share cores). */
export function warnOversubscribed(workers: number, warn: (s: string) => void): void {
  const cores = defaultWorkers();
  if (workers > cores) warn(`warning: --workers ${workers} is more than the ${cores} available cores; threads will share cores`);
}
