import { HogwildError, type ErrorCode, type FieldProblem, type HogwildErrorOptions } from '@hogwild/core';

/**
 * Errors of @hogwild/trainer (a HogwildError): E_INPUT (kind input, exit 1), E_USAGE (usage, exit 2), E_WORKER
 * (worker, exit 1), E_INTERNAL (a bug, exit 1 with the stack).
 */
export class TrainerError extends HogwildError {
  constructor(code: Extract<ErrorCode, 'E_INPUT' | 'E_USAGE' | 'E_WORKER' | 'E_INTERNAL'>, message: string | FieldProblem, options?: HogwildErrorOptions) {
    super(code, message, options);
    this.name = 'TrainerError';
  }
}

/**
 * What an option's check expected, without the option's name: `expected an integer from 1 to 255`. The definitions'
 * checks (options.ts) throw it; the library names the field (checkGroup) and the CLI the flag (cli/options.ts).
 */
export class ExpectedError extends TrainerError {
  /** The value expected, after "expected " (`an integer from 1 to 255`). */
  readonly expected: string;
  constructor(expected: string) {
    super('E_USAGE', `expected ${expected}`);
    this.name = 'ExpectedError';
    this.expected = expected;
  }
}

/**
 * A library's usage error (validateSpec's SpecError) as the trainer's E_USAGE, with the same field, problem and
 * message; anything else as it is.
 */
export function asUsage(e: unknown): unknown {
  if (!(e instanceof HogwildError)) return e;
  const message = e.field !== undefined && e.problem !== undefined ? { field: e.field, problem: e.problem } : e.message;
  return new TrainerError('E_USAGE', message, { field: e.field, cause: e });
}
