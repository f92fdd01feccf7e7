/**
 * Text from a file, made safe to print on a terminal: control characters (C0, DEL, C1: escape sequences, carriage
 * returns, new lines) are shown as \xNN, and anything longer than `max` characters is cut with an ellipsis. A MAT
 * variable name or an Arrow metadata value can hold anything its writer put there.
 */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}

/** A value as an error message shows it: JSON, and "nothing" for a missing one (not JavaScript's "undefined"). */
export function shownValue(x: unknown): string {
  return x === undefined ? 'nothing' : JSON.stringify(x);
}
