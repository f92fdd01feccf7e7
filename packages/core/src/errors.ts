/** Errors of @hogwild/core. `code` is stable; messages name the field or file, the expected and the actual value. */
export class HogwildError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'HogwildError';
    this.code = code;
  }
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
