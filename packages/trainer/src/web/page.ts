/**
 * The page `trainer export-web` writes (bundled into page.js, which imports core's inference from ./infer.js). It
 * reads model.safetensors beside it and shows, for a digit model, a drawing pad whose pixels go through
 * digitSample, the function `trainer predict` runs on image files; for any other model, a form of its columns
 * (categories as <select>s) whose raw cells go through createPreprocessor, as `trainer predict --csv/--jsonl` does;
 * for a model with a row featurizer (a text model), a text box a text column (the first is textarea#text) and
 * fields for its other columns, whose raw cells go through core encodeRow, as `trainer predict --text/--csv` does.
 * Contract for tests and scripts: the pad is canvas#pad (its last 28x28 sample, the model's input, in data-input as
 * comma-separated bytes), a text model's box is textarea#text, the predicted label's text is #prediction, and #probabilities has one li per class with
 * its exact probability in data-probability; for regression #prediction shows the value (exact in data-value) and
 * #probabilities is empty. Text from the model file goes in as text, never as HTML.
 */
import {
  HogwildError, columnName, createPredictor, createPreprocessor, decodeModel, digitSample, isDigitModel, isRowFeaturizer,
  type Cell, type ColumnEncoding, type Model, type Prediction, type Predictor, type RowFeaturizer,
} from '@hogwild/core/infer';

const MODEL_FILE = 'model.safetensors';
/** The pad's pixels; any size works (digitSample crops and scales), this one is comfortable for a mouse or a finger. */
const PAD_SIZE = 280;
/** About MNIST's stroke once the digit is scaled into its 20x20 box. */
const PEN_WIDTH = 22;

const byId = (id: string): HTMLElement => document.getElementById(id)!;
const element = <K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] => {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  return e;
};

const labelOf = (model: Model, c: number): string => model.classes?.[c] ?? String(c);

function describe(model: Model): string {
  const { layers, activation, loss } = model.spec;
  const task = model.task === 'regression' ? `, predicting ${model.label ?? 'a value'}` : model.classes ? `, classes ${model.classes.join(', ')}` : '';
  return `${layers.join('-')} network (${activation}, ${loss})${task}`;
}

/**
 * Writes a prediction (or clears it, for a blank pad or a form with a bad value): the class name and #probabilities,
 * or a regression's value (6 digits, exact in data-value) with no probabilities.
 */
function show(model: Model, p: Prediction | null): void {
  const prediction = byId('prediction'), list = byId('probabilities');
  delete prediction.dataset.value;
  list.replaceChildren();
  if (!p) {
    prediction.textContent = '';
    return;
  }
  if (p.value !== undefined) {
    prediction.textContent = String(Number(p.value.toPrecision(6)));
    prediction.dataset.value = String(p.value);
    return;
  }
  prediction.textContent = labelOf(model, p.label);
  list.append(...p.probabilities.map((q, c) => {
    const li = element('li');
    li.dataset.class = String(c);
    li.dataset.probability = String(q);
    if (c === p.label) li.className = 'top';
    const bar = element('span');
    bar.className = 'bar';
    bar.style.width = `${(100 * q).toFixed(1)}%`;
    li.append(element('span', labelOf(model, c)), bar, element('span', `${(100 * q).toFixed(1)}%`));
    return li;
  }));
}

/** A canvas to draw on with a mouse, a pen or a finger; the prediction follows the strokes, once a frame. */
function drawingPad(parent: HTMLElement, predictor: Predictor): void {
  const pad = element('canvas');
  pad.id = 'pad';
  pad.width = pad.height = PAD_SIZE;
  const ctx = pad.getContext('2d', { willReadFrequently: true })!;
  const clear = element('button', 'Clear');
  clear.id = 'clear';
  clear.type = 'button';
  parent.append(element('p', 'Draw a digit:'), pad, element('br'), clear);

  const blank = (): void => {
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, pad.width, pad.height);
    delete pad.dataset.input;
    show(predictor.model, null);
  };
  let queued = false;
  const update = (): void => {
    queued = false;
    const pixels = ctx.getImageData(0, 0, pad.width, pad.height);
    const sample = digitSample(pixels.data, pixels.width, pixels.height);
    if (!sample) return blank();
    pad.dataset.input = sample.join(',');
    show(predictor.model, predictor.predict(sample));
  };
  const soon = (): void => {
    if (!queued) { queued = true; requestAnimationFrame(update); }
  };

  let last: { x: number; y: number } | null = null;
  const at = (e: PointerEvent): { x: number; y: number } => {
    const r = pad.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * pad.width) / r.width, y: ((e.clientY - r.top) * pad.height) / r.height };
  };
  const line = (a: { x: number; y: number }, b: { x: number; y: number }): void => {
    ctx.strokeStyle = '#000';
    ctx.lineWidth = PEN_WIDTH;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(a.x, a.y);
    ctx.lineTo(b.x, b.y);
    ctx.stroke();
  };
  pad.addEventListener('pointerdown', (e) => {
    pad.setPointerCapture(e.pointerId);
    last = at(e);
    line(last, last);
    soon();
  });
  pad.addEventListener('pointermove', (e) => {
    if (!last) return;
    const p = at(e);
    line(last, p);
    last = p;
    soon();
  });
  const end = (): void => {
    if (!last) return;
    last = null;
    update();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  clear.addEventListener('click', blank);
  blank();
}

/** The columns a raw row holds: the model's own, or (a model of plain features) each feature a numeric column without a fill. */
function columnsOf(model: Model): ColumnEncoding[] {
  if (model.columns) return [...model.columns];
  return Array.from({ length: model.spec.layers[0] }, (_, j) => ({ name: model.featureNames?.[j] ?? `x${j + 1}`, role: 'numeric' as const, fill: NaN }));
}

const short = (v: number): string => String(Number(v.toPrecision(4)));

/**
 * The raw cell of each column from the form, or the message of the first field that holds none: a number input's
 * number (empty: missing, which the model fills with its training mean), a <select>'s category (null: missing).
 */
function cellsOf(columns: readonly ColumnEncoding[], controls: readonly (HTMLInputElement | HTMLSelectElement)[], cells: Cell[]): string | null {
  for (let j = 0; j < columns.length; j++) {
    const c = columns[j], control = controls[j];
    if (c.role === 'categorical') {
      // An option's value is its category; '' is the missing one's (an empty cell is never a category).
      cells[j] = control.value === '' ? null : control.value;
      continue;
    }
    const text = control.value.trim();
    // A number input holds '' for text that is not a number (validity.badInput) as for an empty field.
    if (text === '' && !(control as HTMLInputElement).validity.badInput) {
      if (!Number.isFinite(c.fill)) return `${columnName(c)}: empty, and the model has no fill value for a missing one`;
      cells[j] = null;
      continue;
    }
    const v = text === '' ? NaN : Number(text);
    if (!Number.isFinite(Math.fround(v))) return `${columnName(c)}: ${text === '' ? 'not a number' : `${JSON.stringify(text)} is not a finite float32 number`}`;
    cells[j] = v;
  }
  return null;
}

/**
 * A form of the model's columns (numbers, and categories as <select>s), whose raw cells go through the model's
 * preprocessing (createPreprocessor, what `trainer predict --csv/--jsonl` runs); the prediction follows every change.
 */
function featureForm(parent: HTMLElement, predictor: Predictor): void {
  const model = predictor.model;
  const d = model.spec.layers[0];
  const columns = columnsOf(model);
  const pre = createPreprocessor({ columns, standardization: model.standardization }, d);
  const form = element('form');
  form.id = 'features';
  const controls = columns.map((c, j) => {
    const label = element('label', columnName(c));
    let control: HTMLInputElement | HTMLSelectElement;
    if (c.role === 'categorical') {
      control = element('select');
      control.append(...c.categories.map((k) => {
        const option = element('option', k ?? '(missing)');
        option.value = k ?? '';
        return option;
      }));
    } else {
      control = element('input');
      control.type = 'number';
      control.step = 'any';
      // The training mean, where the model kept it, is a sensible first row (and what an empty field stands for).
      control.value = short(Number.isFinite(c.fill) ? c.fill : model.standardization?.mean[j] ?? 0);
      if (Number.isFinite(c.fill)) {
        control.placeholder = `missing: ${short(c.fill)}`;
        control.title = `empty for a missing value, which the model fills with ${c.fill}`;
      }
    }
    control.name = columnName(c);
    label.append(control);
    form.append(label);
    return control;
  });
  const status = byId('status');
  const cells: Cell[] = new Array(columns.length).fill(null);
  const x = new Float32Array(d);
  const update = (): void => {
    const problem = cellsOf(columns, controls, cells);
    status.textContent = problem ?? '';
    if (problem === null) pre.encodeRow((j) => cells[j], x, 0);
    show(model, problem === null ? predictor.predict(x) : null);
  };
  form.addEventListener('input', update);
  form.addEventListener('submit', (e) => e.preventDefault());
  parent.append(form);
  update();
}

/**
 * A form of a row featurizer's raw columns: a text box a text column (the first one is textarea#text), a number field
 * a numeric column (empty: missing, the featurizer's fill), a <select> a categorical one. Its cells go through
 * core encodeRow (predictRecord), what `trainer predict --text/--csv/--jsonl` runs; the prediction follows each key.
 */
function recordForm(parent: HTMLElement, predictor: Predictor, f: RowFeaturizer): void {
  const form = element('form');
  form.id = 'record';
  let firstText = true;
  const controls = f.columns.map((c) => {
    const label = element('label', c.name);
    let control: HTMLTextAreaElement | HTMLInputElement | HTMLSelectElement;
    if (c.role === 'text') {
      control = element('textarea');
      control.rows = 6;
      control.cols = 60;
      control.placeholder = 'Type a text…';
      if (firstText) control.id = 'text';
      firstText = false;
    } else if (c.role === 'categorical') {
      control = element('select');
      control.append(element('option', '(missing)'), ...c.categories.map((k) => {
        const option = element('option', k);
        option.value = k;
        return option;
      }));
      (control.firstChild as HTMLOptionElement).value = '';
    } else {
      control = element('input');
      control.type = 'number';
      control.step = 'any';
      control.placeholder = 'missing';
    }
    control.name = c.name;
    label.append(element('br'), control);
    form.append(label);
    return control;
  });
  const status = byId('status');
  const update = (): void => {
    const record: Record<string, Cell> = {};
    f.columns.forEach((c, j) => {
      const v = controls[j].value;
      record[c.name] = c.role === 'text' ? v : v === '' ? null : c.role === 'numeric' ? Number(v) : v;
    });
    const empty = f.columns.every((c, j) => c.role !== 'text' || controls[j].value.trim() === '');
    status.textContent = '';
    show(predictor.model, empty ? null : predictor.predictRecord(record));
  };
  form.addEventListener('input', update);
  form.addEventListener('submit', (e) => e.preventDefault());
  parent.append(form);
  update();
}

async function main(): Promise<void> {
  let model: Model;
  try {
    const res = await fetch(MODEL_FILE);
    if (!res.ok) throw new HogwildError('E_INPUT', `${MODEL_FILE}: HTTP ${res.status} ${res.statusText}`);
    model = decodeModel(new Uint8Array(await res.arrayBuffer()), MODEL_FILE);
  } catch (e) {
    const local = location.protocol === 'file:' ? ' (a page opened as a file cannot fetch its model: serve the folder, e.g. with `trainer serve`)' : '';
    byId('status').textContent = `${(e as Error).message}${local}`;
    return;
  }
  byId('about').textContent = describe(model);
  // A form's rows are preprocessed (scaled already) by createPreprocessor; the pad's pixels by the model itself.
  if (isRowFeaturizer(model.featurizer)) recordForm(byId('input'), createPredictor(model), model.featurizer);
  else if (isDigitModel(model)) drawingPad(byId('input'), createPredictor(model));
  else featureForm(byId('input'), createPredictor(model, { prepared: true }));
  document.body.dataset.ready = 'true';
}

void main();
