/**
 * What went wrong, for the CLIs' exit codes: bad input (a file, data, a model: exit 1), bad usage (flags, options:
 * exit 2), a worker thread that failed (exit 1), a run stopped by its user (exit 130), or a bug (exit 1 with the stack).
 */
export type ErrorKind = 'input' | 'usage' | 'worker' | 'interrupted' | 'internal';

/**
 * Every error code of every hogwild package, with its kind and what it means. A code is stable: callers and tests
 * may match on it. A new code is added here, with its kind, before any package throws it.
 */
export const ERROR_CODES = {
  E_USAGE: { kind: 'usage', what: 'options, flags or arguments that are out of range or do not fit together' },
  E_SPEC: { kind: 'usage', what: 'an invalid network specification (layers, activation, loss, init)' },
  E_INPUT: { kind: 'input', what: 'a file or data that is missing, unreadable, malformed or not what was asked for' },
  E_MODEL_FILE: { kind: 'input', what: 'a model file that cannot be read (header, dtype, shapes, truncated data)' },
  E_MODEL_SHAPE: { kind: 'input', what: 'a model to write whose statistics, classes or feature names do not fit its network' },
  E_MODEL_NOT_FINITE: { kind: 'input', what: 'a model with non-finite weights, which is not written' },
  E_MEMORY: { kind: 'input', what: 'shared memory that cannot be had: more than one WebAssembly memory holds, or the system refused it' },
  E_KERNEL: { kind: 'input', what: 'the WebAssembly kernel is missing or is not a kernel module (the installation)' },
  E_WORKER: { kind: 'worker', what: 'a worker thread that failed' },
  E_INTERRUPTED: { kind: 'interrupted', what: 'a run stopped by its user (Ctrl-C, an aborted signal) before its end' },
  E_INTERNAL: { kind: 'internal', what: 'a bug: an invariant of the code that did not hold' },
} as const satisfies Record<string, { kind: ErrorKind; what: string }>;

/** A code of the catalogue {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An error about one option or argument, kept apart from its wording: the message is `${field}: ${problem}`, and a
 * layer that knows the field by another name (the CLI, by its flag) says `${flag}: ${problem}` from the same parts.
 */
export interface FieldProblem {
  /** The option field that was wrong (`lr`, `merge.touches`). */
  readonly field: string;
  /** What is wrong with it, without its name (`expected a number in (0, ∞), found 0`). */
  readonly problem: string;
}

/** What a {@link HogwildError} may carry beside its code and message. */
export interface HogwildErrorOptions {
  /** The option field that was wrong (`lr`, `workers`): the CLI names the flag it comes from. */
  field?: string;
  /** The error this one comes from. */
  cause?: unknown;
}

/**
 * The one error class of every hogwild package (@hogwild/data and @hogwild/trainer derive theirs from it). `code`
 * is stable and its kind comes from ERROR_CODES; messages name the field or file, the expected and the actual
 * value, in one line.
 */
export class HogwildError extends Error {
  /** Stable: callers and tests may match on it. */
  readonly code: ErrorCode;
  /** What went wrong, from the code (input, usage, worker, interrupted, internal): what the CLIs exit with. */
  readonly kind: ErrorKind;
  /** The option field that was wrong (`lr`, `merge.touches`, `data.features[3]`), when an option or an argument was. */
  readonly field?: string;
  /** What is wrong with `field`, without its name, when the error was made from a {@link FieldProblem}. */
  readonly problem?: string;
  /** `message` is the whole message, or a field and its problem (the message is then `${field}: ${problem}`). */
  constructor(code: ErrorCode, message: string | FieldProblem, options: HogwildErrorOptions = {}) {
    const text = typeof message === 'string' ? message : `${message.field}: ${message.problem}`;
    // A code outside the catalogue (from JavaScript, or a cast) is a bug of the thrower: it says so, not "bad input".
    const known = Object.hasOwn(ERROR_CODES, code);
    super(known ? text : `${text} (unknown error code ${JSON.stringify(code)})`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HogwildError';
    this.code = known ? code : 'E_INTERNAL';
    this.kind = ERROR_CODES[this.code].kind;
    const field = typeof message === 'string' ? options.field : message.field;
    if (field !== undefined) this.field = field;
    if (typeof message !== 'string') this.problem = message.problem;
  }
}

/** An invalid network specification (layers, activation, loss, init). */
export class SpecError extends HogwildError {
  constructor(message: string | FieldProblem, options?: HogwildErrorOptions) {
    super('E_SPEC', message, options);
    this.name = 'SpecError';
  }
}

/** A model file that cannot be read: wrong header, truncated data, unknown dtype, shapes that disagree. */
export class ModelFileError extends HogwildError {
  constructor(file: string, problem: string) {
    super('E_MODEL_FILE', `${file}: ${problem}`);
    this.name = 'ModelFileError';
  }
}
