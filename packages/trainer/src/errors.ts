import { HogwildError } from '@hogwild/core';

/** Errors of @hogwild/trainer (a HogwildError): E_INPUT (kind input, exit 1), E_USAGE (usage, exit 2), E_WORKER (worker, exit 1). */
export class TrainerError extends HogwildError {
  /** The library option that was wrong ('lr', 'merge.touches'), for the CLI to name its flag. */
  readonly field?: string;
  constructor(code: 'E_INPUT' | 'E_USAGE' | 'E_WORKER', message: string, o: { field?: string } = {}) {
    super(code, message);
    this.name = 'TrainerError';
    if (o.field !== undefined) this.field = o.field;
  }
}
