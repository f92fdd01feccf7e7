import { HogwildError, type ErrorCode, type HogwildErrorOptions } from '@hogwild/core';

/** Errors of @hogwild/trainer (a HogwildError): E_INPUT (kind input, exit 1), E_USAGE (usage, exit 2), E_WORKER (worker, exit 1). */
export class TrainerError extends HogwildError {
  constructor(code: Extract<ErrorCode, 'E_INPUT' | 'E_USAGE' | 'E_WORKER'>, message: string, options?: HogwildErrorOptions) {
    super(code, message, options);
    this.name = 'TrainerError';
  }
}
