/**
 * What went wrong, for the CLIs' exit codes: bad input (a file, data, a model: exit 1), bad usage (flags, options:
 * exit 2), a worker thread that failed (exit 1), or a bug (exit 1 with the stack).
 */
export type ErrorKind = 'input' | 'usage' | 'worker' | 'internal';

/**
 * The one error class of every hogwild package (@hogwild/data and @hogwild/trainer derive theirs from it). `code`
 * is stable; messages name the field or file, the expected and the actual value, in one line.
 */
export class HogwildError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  constructor(code: string, message: string, kind: ErrorKind = kindOf(code)) {
    super(message);
    this.name = 'HogwildError';
    this.code = code;
    this.kind = kind;
  }
}

function kindOf(code: string): ErrorKind {
  if (code === 'E_USAGE' || code === 'E_SPEC') return 'usage';
  if (code === 'E_WORKER') return 'worker';
  return code === 'E_INTERNAL' ? 'internal' : 'input';
}

/** An invalid network specification (layers, activation, loss, init). */
export class SpecError extends HogwildError {
  constructor(message: string) {
    super('E_SPEC', message);
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
