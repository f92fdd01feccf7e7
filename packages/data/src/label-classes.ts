/**
 * How labels become classes, the one rule of `data convert` and of `train()` on arrays: the integers 0 … K−1 are the
 * classes as they are; anything else (strings, gaps, negative, fractional or large numbers) is renumbered in sorted
 * order (numbers by value, strings by UTF-16 code units), each class named by its label.
 */

/** The class names of a label column's distinct values (as text), or null when they are the integers 0 … K−1. */
export function labelClasses(distinct: readonly string[], numeric: boolean): string[] | null {
  if (numeric && distinct.every((k) => /^(0|[1-9]\d*)$/.test(k) && Number(k) < distinct.length)) return null;
  return numeric ? [...distinct].sort((a, b) => Number(a) - Number(b)) : [...distinct].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
