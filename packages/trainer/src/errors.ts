/** Errors of @hogwild/trainer, with stable codes: E_INPUT (exit 1), E_USAGE (exit 2), E_WORKER (exit 1). */
export class TrainerError extends Error {
  readonly code: string;
  constructor(code: 'E_INPUT' | 'E_USAGE' | 'E_WORKER', message: string) {
    super(message);
    this.name = 'TrainerError';
    this.code = code;
  }
}
