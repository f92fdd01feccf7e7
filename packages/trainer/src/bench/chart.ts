/** The scaling chart of `trainer bench`, drawn with Vega as an SVG: throughput and efficiency, and accuracy, against workers. */
import * as vega from 'vega';

export interface ChartRow { readonly workers: number; readonly samplesPerSecond: number; readonly min: number; readonly max: number; readonly efficiency: number; readonly accuracy: number }

export async function scalingChart(rows: readonly ChartRow[], title: string): Promise<string> {
  const values = rows.map((r) => ({ ...r, efficiencyPct: 100 * r.efficiency, accuracyPct: 100 * r.accuracy }));
  const panel = (name: string, y: number, field: string, label: string, color: string, extra: object[] = []) => ({
    type: 'group',
    encode: { enter: { x: { value: 0 }, y: { value: y }, width: { value: 560 }, height: { value: 200 } } },
    scales: [
      // Explicit ranges: inside a group, 'width' and 'height' would be the whole chart's.
      { name: 'x', type: 'point', domain: { data: 'rows', field: 'workers' }, range: [0, 560], padding: 0.5 },
      { name: 'y', type: 'linear', domain: { data: 'rows', fields: [field, ...(field === 'samplesPerSecond' ? ['max'] : [])] }, range: [200, 0], zero: field !== 'accuracyPct', nice: true },
    ],
    axes: [
      { orient: 'bottom', scale: 'x', title: 'workers' },
      { orient: 'left', scale: 'y', title: label, grid: true },
    ],
    title: { text: name, anchor: 'start' },
    marks: [
      ...extra,
      { type: 'line', from: { data: 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workers' }, y: { scale: 'y', field }, stroke: { value: color }, strokeWidth: { value: 2 } } } },
      { type: 'symbol', from: { data: 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workers' }, y: { scale: 'y', field }, fill: { value: color }, size: { value: 60 } } } },
      { type: 'text', from: { data: 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workers' }, y: { scale: 'y', field, offset: -10 }, text: { signal: field === 'samplesPerSecond' ? "format(datum.samplesPerSecond, ',.0f')" : `format(datum.${field}, '.1f') + '%'` }, align: { value: 'center' }, fontSize: { value: 10 }, fill: { value: '#333' } } } },
    ],
  });
  const spread = { type: 'rule', from: { data: 'rows' }, encode: { enter: { x: { scale: 'x', field: 'workers' }, y: { scale: 'y', field: 'min' }, y2: { scale: 'y', field: 'max' }, stroke: { value: '#4c78a8' }, strokeOpacity: { value: 0.5 }, strokeWidth: { value: 6 } } } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega/v6.json',
    width: 560, height: 740, padding: 24,
    title: { text: title, fontSize: 13 },
    data: [{ name: 'rows', values }],
    marks: [
      panel('Throughput (median of repeats; bar: min–max)', 30, 'samplesPerSecond', 'samples/s', '#4c78a8', [spread]),
      panel('Parallel efficiency (speedup ÷ workers)', 300, 'efficiencyPct', 'efficiency %', '#f58518'),
      panel('Test accuracy after the run', 570, 'accuracyPct', 'accuracy %', '#54a24b'),
    ],
  };
  const view = new vega.View(vega.parse(spec as vega.Spec), { renderer: 'none' });
  return view.toSVG();
}
