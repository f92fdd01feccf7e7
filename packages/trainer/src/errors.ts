import { HogwildError } from '@hogwild/core';

/** Errors of @hogwild/trainer (a HogwildError): E_INPUT (kind input, exit 1), E_USAGE (usage, exit 2), E_WORKER (worker, exit 1). */
export class TrainerError extends HogwildError {
  constructor(code: 'E_INPUT' | 'E_USAGE' | 'E_WORKER', message: string) {
    super(code, message);
    this.name = 'TrainerError';
  }
}
