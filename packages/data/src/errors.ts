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
 * A readable Arrow file that is a table, not a dataset: no "features" and "label" columns (a column per feature), or
 * compressed record batches. `data inspect` shows such a file's columns instead; the dataset readers refuse it.
 */
export class NotADatasetError extends InputError {
  constructor(file: string, problem: string, options?: HogwildErrorOptions) {
    super(file, problem, options);
    this.name = 'NotADatasetError';
  }
}

/** Bad usage: flags or values that do not fit together. Exit code 2. */
export class UsageError extends DataError {
  constructor(message: string, options?: HogwildErrorOptions) {
    super('E_USAGE', message, options);
    this.name = 'UsageError';
  }
}
