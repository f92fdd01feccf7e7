/**
 * Labels in memory into class indices, by `data convert`'s rule (labelClasses in @hogwild/data): the integers 0 … K−1
 * as they are; strings, or any other numbers (gaps, negative, fractional, large), mapped to 0 … K−1 in sorted order,
 * their names kept as the classes. A test set or an evaluation maps its
 * labels with the classes of the training data or the model instead, so one name is one class everywhere.
 */
import { labelClasses, MAX_CLASSES } from '@hogwild/data/internal';
import { TrainerError } from './errors.ts';

/** Class indices, one a row, with the class names when the labels were named (strings, or numbers sorted). */
export interface EncodedLabels {
  readonly labels: Uint8Array;
  /** The class names by index: present when the labels were strings or numbers other than 0 … K−1. */
  readonly classes?: readonly string[];
}

const isNumericName = (name: string): boolean => name.trim() !== '' && String(Number(name)) === name;

/**
 * Encodes `values` (`field` names them in errors, e.g. "data.labels"). `known`: the classes to map onto (the
 * training data's or the model's, `whose` in errors): string labels must be among them, and numbers are looked up
 * by name when every known name is a number (classes made from numbers), else taken as indices.
 */
export function encodeLabels(values: ArrayLike<unknown>, field: string, known?: readonly string[], whose = "the model's"): EncodedLabels {
  const n = values.length;
  const bad = (i: number, message: string) => new TrainerError('E_USAGE', `${field}[${i}]: ${message}`, { field: `${field}[${i}]` });
  const strings = n > 0 && typeof values[0] === 'string';
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (strings ? typeof v !== 'string' : typeof v !== 'number' || !Number.isFinite(v)) {
      throw bad(i, `expected ${strings ? 'a string like the labels before it' : 'a finite number (or strings for every label)'}, found ${describeValue(v)}`);
    }
  }
  const names = (known && (strings || (known.length > 0 && known.every(isNumericName)))) ? known : undefined;
  if (names) return { labels: lookUp(values, names, whose, bad), classes: names };
  if (!strings && known) {
    // Numbers against class names that are not numbers: they are the class indices.
    for (let i = 0; i < n; i++) {
      const v = values[i] as number;
      if (!(Number.isInteger(v) && v >= 0 && v < known.length)) throw bad(i, `expected a class index 0 … ${known.length - 1} (${whose} classes ${list(known)}), found ${v}`);
    }
    return { labels: Uint8Array.from(values as ArrayLike<number>) };
  }
  const distinct: unknown[] = [...new Set(Array.from(values))];
  if (distinct.length > MAX_CLASSES) {
    throw new TrainerError('E_USAGE', `${field}: ${distinct.length} distinct labels, a classifier takes at most ${MAX_CLASSES} classes (is it a continuous target?)`, { field });
  }
  const classes = labelClasses(distinct.map(String), !strings);
  if (!classes) return { labels: Uint8Array.from(values as ArrayLike<number>) };
  return { labels: lookUp(values, classes, 'the', bad), classes };
}

function lookUp(values: ArrayLike<unknown>, classes: readonly string[], whose: string, bad: (i: number, m: string) => TrainerError): Uint8Array {
  const index = new Map(classes.map((c, i) => [c, i]));
  const labels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = index.get(String(values[i]));
    if (c === undefined) throw bad(i, `${describeValue(values[i])} is not one of ${whose} ${classes.length} classes (${list(classes)})`);
    labels[i] = c;
  }
  return labels;
}

const list = (names: readonly string[]): string => (names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', '));

/** A value for a message: strings quoted (and cut), numbers as they are, anything else by its kind. */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v == null) return String(v);
  return Array.isArray(v) ? 'an array' : `a ${typeof v}`;
}
