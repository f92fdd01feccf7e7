/** Learning-rate schedules, evaluated per epoch (0-based) of `epochs`. */
export type ScheduleName = 'constant' | 'step' | 'cosine';
export const SCHEDULES: readonly ScheduleName[] = ['constant', 'step', 'cosine'];

export interface Schedule {
  readonly name: ScheduleName;
  readonly lr: number;
  /** step: multiply by `gamma` every `every` epochs. */
  readonly every?: number;
  readonly gamma?: number;
}

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
