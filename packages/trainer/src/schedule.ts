/** Learning-rate schedules, evaluated per epoch (0-based) of `epochs`. */
export type ScheduleName = 'constant' | 'step' | 'cosine';
/** Every {@link ScheduleName}. */
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'step', 'cosine'];

/** A learning-rate schedule with its parameters. */
export interface Schedule {
  /** constant, step (× gamma every `every` epochs) or cosine (from lr down to 0 over the epochs). */
  readonly name: ScheduleName;
  /** The rate of the first epoch. */
  readonly lr: number;
  /** step: multiply by `gamma` every `every` epochs. */
  readonly every?: number;
  /** step: the factor of each decay. */
  readonly gamma?: number;
}

/** The learning rate of epoch `epoch` (0-based) of `epochs` under the schedule. */
export function learningRate(s: Schedule, epoch: number, epochs: number): number {
  switch (s.name) {
    case 'constant':
      return s.lr;
    case 'step':
      return s.lr * Math.pow(s.gamma ?? 0.5, Math.floor(epoch / (s.every ?? 1)));
    case 'cosine':
      // Cosine annealing (Loshchilov & Hutter 2017) sampled at the middle of each epoch, so the last epoch still learns.
      return 0.5 * s.lr * (1 + Math.cos((Math.PI * (epoch + 0.5)) / epochs));
  }
}
