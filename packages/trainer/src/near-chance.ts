/**
 * The remark on an accuracy near chance (train()'s onWarning), with the cause the run's training loss points to.
 * Guessing (every class equally likely) costs `chanceLoss`. A network whose training loss fell far below that has
 * learned its training rows, so a test accuracy near chance means it does not generalise: it overfits (or the test
 * set is unlike the training data), and a lower learning rate would not help. One whose loss stays near guessing's
 * or climbs is not learning at all: most often the learning rate is too high.
 */
import { type LossName } from '@hogwild/core';
import { LOSSES } from '@hogwild/core/internal';

/** An accuracy up to this many times chance's (1/classes) is "near chance". */
export const NEAR_CHANCE = 1.5;
/** A training loss under this fraction of guessing's is "far below": the network fits its training rows. */
export const FITS = 0.5;

/** The mean cost of guessing: every output 1/classes (the loss's own value, with its label smoothing). */
export function chanceLoss(loss: LossName, classes: number, labelSmoothing: number): number {
  return LOSSES[loss].value(new Float64Array(classes).fill(1 / classes), 0, classes, labelSmoothing);
}

export interface ChanceEpoch {
  /** The epoch, from 1. */
  readonly epoch: number;
  /** Whether it is the run's last: an undecided run is decided here. */
  readonly last: boolean;
  /** Accuracy on the evaluated split. */
  readonly accuracy: number;
  /** Which split that is (without a test set, the training data). */
  readonly split: 'test' | 'train';
  /** The training loss of every epoch of this run so far, this one last. */
  readonly losses: readonly number[];
  readonly classes: number;
  readonly loss: LossName;
  readonly labelSmoothing: number;
  /** The run's learning rate (the option). */
  readonly lr: number;
}

/**
 * The remark for an epoch, or null: none (the accuracy is not near chance), or not yet (the training loss is still
 * falling toward a fit, which can start above guessing's when the first updates are large: decided later).
 */
export function nearChanceWarning(e: ChanceEpoch): string | null {
  if (e.accuracy > NEAR_CHANCE / e.classes) return null;
  const loss = e.losses[e.losses.length - 1];
  const before = e.losses.length > 1 ? e.losses[e.losses.length - 2] : Infinity;
  const chance = chanceLoss(e.loss, e.classes, e.labelSmoothing);
  const near = `${e.split} accuracy ${(100 * e.accuracy).toFixed(2)}% after epoch ${e.epoch} is near chance (${(100 / e.classes).toFixed(2)}% for ${e.classes} classes)`;
  // Near chance on the training data itself is never a fit.
  const fits = e.split === 'test' && (loss < FITS * chance || (e.last && loss < chance));
  if (fits) {
    const smoothing = e.loss === 'softmax' && e.labelSmoothing === 0 ? ', label smoothing (--label-smoothing 0.1)' : '';
    return `${near}, though the training loss ${loss.toPrecision(3)} is far below guessing's ${chance.toPrecision(3)}: the network learns its training rows but does not generalise (it overfits, or the test set is unlike them); try fewer epochs (--epochs), fewer hidden units (--layers)${smoothing}, or more training rows`;
  }
  if (!e.last && loss < before && e.split === 'test') return null;
  return `${near}: the learning rate (${e.lr}: --lr, or lr in train()) may be too high`;
}
