/**
 * Progress lines that fit the terminal: both CLIs draw their bars with cli-progress, which cuts a line at the
 * terminal's right edge, so at 80 columns the figures at the end (samples/s, the ETA) were the part lost. Here the
 * figures are laid out first and the bar takes only the columns they leave.
 */

/** cli-progress's formatter, as its `Format.Formatter` is typed: options with the format and bar size, the bar's state. */
export type LineFormatter<O, P> = (options: O, params: P, payload: Record<string, unknown>) => string;

/** The fewest bar cells drawn; below this the figures are cut, by the terminal, before the bar disappears. */
const MIN_BAR = 3;
/** cli-progress's own default bar size, for options that leave it out. */
const DEFAULT_BAR = 40;

/**
 * A cli-progress `format` function that renders `format` with the bar no wider than `barsize` and no wider than the
 * terminal leaves beside the figures (`params.maxWidth`, cli-progress's terminal width: the stream's columns, or 80).
 * `formatter` is cli-progress's own (`Format.Formatter`), so that placeholders mean what they always did.
 */
export function fittedFormat<O extends { barsize?: number }, P extends { maxWidth: number }>(
  format: string, formatter: LineFormatter<O & { format: string }, P>,
): (options: O, params: P, payload: Record<string, unknown>) => string {
  const figuresOnly = format.replace('{bar}', '');
  return (options, params, payload) => {
    const figures = formatter({ ...options, format: figuresOnly }, params, payload).length;
    // One column spare: a line that ends in the last column makes some terminals wrap.
    const barsize = Math.max(MIN_BAR, Math.min(options.barsize ?? DEFAULT_BAR, params.maxWidth - 1 - figures));
    return formatter({ ...options, format, barsize }, params, payload);
  };
}
