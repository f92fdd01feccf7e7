import { HogwildError, type ErrorCode, type HogwildErrorOptions } from '@hogwild/core';

/** Errors of @hogwild/data (a HogwildError, of kind input or usage). The message names the file and what is wrong, in one line. */
export class DataError extends HogwildError {
  constructor(code: ErrorCode, message: string, options?: HogwildErrorOptions) {
    super(code, message, options);
    this.name = 'DataError';
  }
}

/** Bad input: a file that is missing, unreadable, malformed or not what was asked for. Exit code 1. */
export class InputError extends DataError {
  constructor(file: string, problem: string, options?: HogwildErrorOptions) {
    super('E_INPUT', `${file}: ${problem}`, options);
    this.name = 'InputError';
  }
}

/**
 * A library's own words for a failure when they are words for a user ("parquet unsupported compression codec"),
 * or null: never the engine's (a TypeError or RangeError from a damaged file: "Cannot read properties of undefined",
 * "Offset is outside the bounds of the DataView") nor words about its internals ("… is undefined"). The readers
 * say what failed in their own words instead. parquet-worker.mjs keeps the same rule.
 */
export function libraryWords(e: unknown): string | null {
  if (!(e instanceof Error) || e.constructor !== Error) return null;
  const words = e.message.split('\n')[0];
  return words === '' || /\bundefined\b|\bnull\b/.test(words) ? null : words;
}

/** Bad usage: flags or values that do not fit together. Exit code 2. */
export class UsageError extends DataError {
  constructor(message: string, options?: HogwildErrorOptions) {
    super('E_USAGE', message, options);
    this.name = 'UsageError';
  }
}
