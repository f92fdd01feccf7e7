/** Errors of @hogwild/data. `code` is stable; the message names the file and what is wrong, in one line. */
export class DataError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DataError';
    this.code = code;
  }
}

/** Bad input: a file that is missing, unreadable, malformed or not what was asked for. Exit code 1. */
export class InputError extends DataError {
  constructor(file: string, problem: string) {
    super('E_INPUT', `${file}: ${problem}`);
    this.name = 'InputError';
  }
}

/** Bad usage: flags or values that do not fit together. Exit code 2. */
export class UsageError extends DataError {
  constructor(message: string) {
    super('E_USAGE', message);
    this.name = 'UsageError';
  }
}
