import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDataProgram as createProgram } from './internal.ts';
import { InputError } from '@hogwild/data';
import { runProgram } from '../packages/data/test/helpers.ts';
import { HogwildError } from '@hogwild/core';
import { TrainerError, train } from '@hogwild/trainer';
import { ExpectedError } from './internal.ts';
import { MERGE, SCHEDULE, optionError } from './internal.ts';
import { flagNamed } from './internal.ts';
import { createTrainerProgram } from './internal.ts';
import { CommandLineError } from '@hogwild/core/cli';
import { ROOT } from './helpers.ts';

/** Every source file of the packages' products (packages/NAME/src), with its path from the repository root. */
function sources(): { path: string; lines: string[] }[] {
  const out: { path: string; lines: string[] }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|mjs|js|cjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name)) out.push({ path: relative(ROOT, p), lines: readFileSync(p, 'utf8').split('\n') });
    }
  };
  for (const pkg of readdirSync(join(ROOT, 'packages'))) walk(join(ROOT, 'packages', pkg, 'src'));
  return out;
}

/** The lines of the sources (comments aside) that match `pattern`, as `path:line: text`, in the files `where` keeps. */
function offenders(pattern: RegExp, where: (path: string) => boolean = () => true): string[] {
  const found: string[] = [];
  for (const { path, lines } of sources()) {
    if (!where(path)) continue;
    lines.forEach((line, i) => {
      if (!/^\s*(\*|\/\/|\/\*)/.test(line) && pattern.test(line)) found.push(`${path}:${i + 1}: ${line.trim()}`);
    });
  }
  return found;
}

describe('errors are made from structure, not from text', () => {
  it('finds the product sources it scans (so that an empty scan cannot pass)', () => {
    const paths = sources().map((s) => s.path);
    expect(paths).toContain(join('packages', 'trainer', 'src', 'options.ts'));
    expect(paths).toContain(join('packages', 'data', 'src', 'parquet-worker.mjs'));
  });

  it('no product source throws a plain Error, a TypeError or a RangeError: every error is a HogwildError with a catalogued code', () => {
    expect(offenders(/throw new (Error|TypeError|RangeError)\(/)).toEqual([]);
  });

  it('no product source throws a string or a template string', () => {
    expect(offenders(/throw\s*['"`]/)).toEqual([]);
  });

  it('no product source rewrites, slices or matches an error\'s message to change what it says or to choose what to do', () => {
    expect(offenders(/\.message\s*\.\s*(replace|replaceAll|slice|substring|startsWith)\(/)).toEqual([]);
    expect(offenders(/\.test\([^)]*\.message\b/)).toEqual([]);
    // The CLIs compose a flag's message from the error's field and problem (flagNamed), never from its text.
    expect(offenders(/message[^;]*\.replace\(/, (p) => p.includes(join('src', 'cli')))).toEqual([]);
  });

  it("an option's check throws what it expected as an ExpectedError (a HogwildError of code E_USAGE), not a string", () => {
    let thrown: unknown;
    try {
      SCHEDULE.lr.check(0);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(ExpectedError);
    expect(thrown).toBeInstanceOf(HogwildError);
    expect(thrown).toMatchObject({ code: 'E_USAGE', kind: 'usage', expected: 'a number in (0, ∞)', message: 'expected a number in (0, ∞)' });
  });

  it('a bad option given to the library carries its field and its problem apart, the message being "field: problem"', async () => {
    const e = await train({ lr: -1 }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(TrainerError);
    expect(e).toMatchObject({ code: 'E_USAGE', field: 'lr', problem: 'expected a number in (0, ∞), found -1', message: 'lr: expected a number in (0, ∞), found -1' });
  });

  it('the CLI says the flag of the field with the same problem, the code and the field kept', () => {
    const named = flagNamed(optionError('merge.touches', 'expected an integer from 1 to 255, found 0'));
    expect(named).toBeInstanceOf(HogwildError);
    expect(named).toMatchObject({ code: 'E_USAGE', field: 'merge.touches', message: '--merge-touches: expected an integer from 1 to 255, found 0' });
    expect(MERGE.touches.flag.startsWith('--merge-touches ')).toBe(true);
  });

  it('the CLI leaves alone an error whose text merely starts with a field name: only a field and a problem are renamed', () => {
    const text = new TrainerError('E_USAGE', 'lr: said by hand', { field: 'lr' });
    expect(flagNamed(text)).toBe(text);
    const noFlag = new TrainerError('E_USAGE', { field: 'data.labels[3]', problem: 'expected a finite number' });
    expect(flagNamed(noFlag)).toBe(noFlag);
  });
});

describe("the CLIs' usage errors are composed from commander's parts, not from its text", () => {
  it('no product source rewrites commander\'s words (its "error: " prefix, its "(Did you mean" line)', () => {
    expect(offenders(/\^error|Did you mean/)).toEqual([]);
  });

  it.each([
    ['an unknown option, with the nearest flag of the command or its parents', ['run', '--epoch'], "unknown option '--epoch' (did you mean --epochs?) (see trainer run --help)"],
    ['an unknown option far from every flag, alone', ['run', '--zzzzzz'], "unknown option '--zzzzzz' (see trainer run --help)"],
    ['an unknown command, with the nearest command', ['rn'], "unknown command 'rn' (did you mean run?) (see trainer --help)"],
    ['a value outside the choices, which are listed', ['run', '--activation', 'gelu'], "option '--activation <name>' argument 'gelu' is invalid: expected one of sigmoid, relu, tanh, linear (see trainer run --help)"],
    ["a value the option's check refuses, in the check's words", ['run', '--lr', '0'], "option '--lr <rate>' argument '0' is invalid: expected a number in (0, ∞) (see trainer run --help)"],
    ['a flag without its value', ['run', '--lr'], "option '--lr <rate>' argument missing (see trainer run --help)"],
    ['arguments a command does not take', ['run', 'extra'], "too many arguments for 'run': expected 0 arguments, got 1 (see trainer run --help)"],
  ])('%s: one line, exit 2', async (_, argv, line) => {
    const r = await runProgram(createTrainerProgram(), argv);
    expect([r.code, r.stderr]).toEqual([2, `${createTrainerProgram().name()}: ${line}\n`]);
  });

  it("a missing required argument is named as the command declares it (data inspect's <file>)", async () => {
    const r = await runProgram(createProgram(), ['inspect']);
    expect([r.code, r.stderr]).toEqual([2, `${createProgram().name()}: missing required argument 'file' (see ${createProgram().name()} inspect --help)\n`]);
  });

  it('a usage error of the command line is a CommandLineError: a HogwildError of code E_USAGE, the field of a bad option, the help to read', () => {
    const e = new CommandLineError("option '--lr <rate>' argument '0' is invalid: expected a number in (0, ∞)", 'trainer run --help', { field: 'lr' });
    expect(e).toBeInstanceOf(HogwildError);
    expect(e).toMatchObject({ code: 'E_USAGE', kind: 'usage', field: 'lr', help: 'trainer run --help' });
  });
});

describe("a library's own error is the cause, out of the message", () => {
  // The data CLI with one more command, which fails as the Parquet reader does on a page hyparquet cannot decode.
  const program = () => {
    const p = createProgram();
    p.command('fail').action(() => {
      throw new InputError('f.parquet', 'corrupted Parquet data: a page cannot be decoded', { cause: new Error('parquet data page header is undefined') });
    });
    return p;
  };

  it('the one-line message says what failed in our words only', async () => {
    const r = await runProgram(program(), ['fail']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`${createProgram().name()}: f.parquet: corrupted Parquet data: a page cannot be decoded\n`);
  });

  it('--debug prints the stack of the error and then of its cause, the library\'s words included', async () => {
    const r = await runProgram(program(), ['fail', '--debug']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\w+: f\.parquet: corrupted Parquet data: a page cannot be decoded\nInputError: f\.parquet: corrupted Parquet data/);
    expect(r.stderr).toMatch(/\ncaused by: Error: parquet data page header is undefined\n/);
  });
});
