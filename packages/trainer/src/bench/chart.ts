/**
 * The chart of `trainer bench`, drawn with Vega as an SVG: test accuracy against training time, one line per worker
 * count (what a user waits for), then throughput and time to the target against workers. A simulated bench has no
 * speed to draw: accuracy against samples trained, and epochs to the target.
 */
import * as vega from 'vega';

export interface ChartRow {
  readonly workers: number;
  readonly samplesPerSecond: number;
  readonly min: number;
  readonly max: number;
  /** Null when simulated (not drawn). */
  readonly efficiency: number | null;
  readonly accuracy: number;
  readonly timeToTarget: number | null;
  readonly epochsToTarget?: number | null;
  /** The same workers' samples/s sharing nothing (bench's ceiling), drawn as a dashed tick; null: not measured. */
  readonly ceiling?: number | null;
}
export interface ChartPoint { readonly workers: number; readonly seconds: number; readonly samples?: number; readonly accuracy: number }

/**
 * `score`: what `accuracy` holds, the accuracy of classes or the R² of a regression target (drawn as a percentage too).
 * `simulated`: the workers took turns in one thread, so their seconds and samples/s are the simulation's, not drawn.
 */
export async function scalingChart(rows: readonly ChartRow[], curves: readonly ChartPoint[], title: string, target: number | null, score: 'accuracy' | 'r2' = 'accuracy', simulated = false): Promise<string> {
  const word = score === 'r2' ? 'R²' : 'accuracy';
  const values = rows.map((r) => ({ ...r, workersLabel: String(r.workers), efficiencyPct: 100 * (r.efficiency ?? 0), accuracyPct: 100 * r.accuracy }));
  // The curves' x axis and the cost of reaching the target: seconds of training, or samples and epochs when simulated.
  const along = simulated ? { field: 'samples', title: 'samples trained', name: 'samples trained' } : { field: 'seconds', title: 'training seconds', name: 'training time (evaluations not counted)' };
  const toTarget = simulated ? { field: 'epochsToTarget', title: 'epochs', name: 'Epochs', text: "format(datum.epochsToTarget, '.2f')" } : { field: 'timeToTarget', title: 'seconds', name: 'Training time', text: "format(datum.timeToTarget, '.2f') + ' s'" };
  // The accuracy axis starts a little below the lowest point after the first tenth of the run, so the end is readable.
  const late = curves.filter((c) => c.accuracy > 0);
  const lo = late.length ? Math.min(...late.map((c) => c.accuracy)) : 0;
  const points = curves.map((c) => ({ ...c, workersLabel: String(c.workers), accuracyPct: Math.max(100 * c.accuracy, Math.floor(100 * lo)) }));
  const timed = values.filter((v) => v[toTarget.field as 'timeToTarget' | 'epochsToTarget'] != null);
  const ceilings = values.filter((v) => v.ceiling != null);
  // Final accuracies differ by tenths of a point: their axis spans whole points around them, so that the bars do not
  // make a 0.02-point difference look like all of it (and the lowest bar is not drawn at zero height).
  const accs = values.map((v) => v.accuracyPct);
  const accDomain = [Math.max(0, Math.floor(Math.min(...accs) - 0.5)), Math.min(100, Math.ceil(Math.max(...accs) + 0.1))];
  const W = 560, H = 220;
  const group = (y: number, name: string, scales: object[], axes: object[], marks: object[]) => ({
    type: 'group',
    encode: { enter: { x: { value: 0 }, y: { value: y }, width: { value: W }, height: { value: H } } },
    title: { text: name, anchor: 'start' },
    scales, axes, marks,
  });
  const byWorkers = { name: 'x', type: 'band', domain: { data: 'rows', field: 'workersLabel' }, range: [0, W], padding: 0.3 };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: W, height: (simulated ? 2 : 3) * H + (simulated ? 90 : 180), padding: 24,
    title: { text: title, fontSize: 13 },
    data: [{ name: 'rows', values }, { name: 'curves', values: points }, { name: 'timed', values: timed }, { name: 'ceilings', values: ceilings }],
    scales: [{ name: 'color', type: 'ordinal', domain: { data: 'rows', field: 'workersLabel' }, range: 'category' }],
    // Beside the panels (orient 'right' put it past the longest panel title, far from the lines it names).
    legends: [{ fill: 'color', title: 'workers', orient: 'none', legendX: W + 16, legendY: 30 }],
    marks: [
      group(30, `Test ${word} against ${along.name}${target !== null ? `; dashed: the target ${(100 * target).toFixed(1)}%` : ''}`, [
        { name: 'x', type: 'linear', domain: { data: 'curves', field: along.field }, range: [0, W], zero: true, nice: true },
        { name: 'y', type: 'linear', domain: { data: 'curves', field: 'accuracyPct' }, range: [H, 0], zero: false, nice: true },
      ], [
        { orient: 'bottom', scale: 'x', title: along.title },
        { orient: 'left', scale: 'y', title: `test ${word} %`, grid: true },
      ], [
        { type: 'group', from: { facet: { name: 'series', data: 'curves', groupby: 'workersLabel' } }, marks: [
          { type: 'line', from: { data: 'series' }, encode: { enter: { x: { scale: 'x', field: along.field }, y: { scale: 'y', field: 'accuracyPct' }, stroke: { scale: 'color', field: 'workersLabel' }, strokeWidth: { value: 2 } } } },
        ] },
        ...(target !== null ? [{ type: 'rule', encode: { enter: { x: { value: 0 }, x2: { value: W }, y: { scale: 'y', value: 100 * target }, stroke: { value: '#888' }, strokeDash: { value: [4, 4] } } } }] : []),
      ]),
      ...(simulated ? [] : [group(330, `Throughput (median of repeats; bar: min–max) and parallel efficiency${ceilings.length ? '; dashed: the same workers sharing nothing' : ''}`, [
        byWorkers,
        { name: 'y', type: 'linear', domain: { fields: [{ data: 'rows', field: 'max' }, { data: 'ceilings', field: 'ceiling' }] }, range: [H, 0], zero: true, nice: true },
      ], [
        { orient: 'bottom', scale: 'x', title: 'workers' },
        { orient: 'left', scale: 'y', title: 'samples/s', grid: true },
      ], [
        { type: 'rect', from: { data: 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workersLabel' }, width: { scale: 'x', band: 1 }, y: { scale: 'y', field: 'samplesPerSecond' }, y2: { scale: 'y', value: 0 }, fill: { scale: 'color', field: 'workersLabel' } } } },
        { type: 'rule', from: { data: 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workersLabel', band: 0.5 }, y: { scale: 'y', field: 'min' }, y2: { scale: 'y', field: 'max' }, stroke: { value: '#333' }, strokeWidth: { value: 2 } } } },
        { type: 'text', from: { data: 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workersLabel', band: 0.5 }, y: { signal: "scale('y', max(datum.max, datum.ceiling || 0)) - 6" }, text: { signal: "format(datum.samplesPerSecond, ',.0f') + ' (' + format(datum.efficiencyPct, '.0f') + '%)'" }, align: { value: 'center' }, fontSize: { value: 10 } } } },
        { type: 'rule', from: { data: 'ceilings' }, encode: { enter: { x: { scale: 'x', field: 'workersLabel' }, x2: { scale: 'x', field: 'workersLabel', band: 1 }, y: { scale: 'y', field: 'ceiling' }, stroke: { value: '#000' }, strokeDash: { value: [6, 3] }, strokeWidth: { value: 2 } } } },
      ])]),
      group(simulated ? 330 : 630, target !== null ? `${toTarget.name} to ${(100 * target).toFixed(1)}% test ${word} (median, a repeat that never reached it counting as the slowest; missing: not reached in half of the repeats)` : `Test ${word} at the end (median)`, [
        byWorkers,
        { name: 'y', type: 'linear', domain: target !== null ? { data: 'timed', field: toTarget.field } : accDomain, range: [H, 0], zero: target !== null, nice: target !== null },
      ], [
        { orient: 'bottom', scale: 'x', title: 'workers' },
        { orient: 'left', scale: 'y', title: target !== null ? toTarget.title : `${word} %`, grid: true },
      ], [
        { type: 'rect', from: { data: target !== null ? 'timed' : 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workersLabel' }, width: { scale: 'x', band: 1 }, y: { scale: 'y', field: target !== null ? toTarget.field : 'accuracyPct' }, y2: { scale: 'y', signal: target !== null ? '0' : "domain('y')[0]" }, fill: { scale: 'color', field: 'workersLabel' } } } },
        { type: 'text', from: { data: target !== null ? 'timed' : 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workersLabel', band: 0.5 }, y: { scale: 'y', field: target !== null ? toTarget.field : 'accuracyPct', offset: -6 }, text: { signal: target !== null ? toTarget.text : "format(datum.accuracyPct, '.2f') + '%'" }, align: { value: 'center' }, fontSize: { value: 10 } } } },
      ]),
    ],
  };
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: 'none' });
  return view.toSVG();
}
