/**
 * The page `trainer export-web` writes (bundled into page.js, which imports core's inference from ./infer.js). It
 * reads model.safetensors beside it and shows, for a digit model, a drawing pad whose pixels go through
 * digitSample, the function `trainer predict` runs on image files; for any other model, a form of its features.
 * Contract for tests and scripts: the pad is canvas#pad (its last 28x28 sample, the model's input, in data-input as
 * comma-separated bytes), the predicted label's text is #prediction, and #probabilities has one li per class with
 * its exact probability in data-probability. Text from the model file goes in as text, never as HTML.
 */
import { createPredictor, decodeModel, digitSample, isDigitModel, type Model, type Prediction, type Predictor } from '@hogwild/core/infer';

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
  return `${layers.join('-')} network (${activation}, ${loss})${model.classes ? `, classes ${model.classes.join(', ')}` : ''}`;
}

/** Writes a prediction (or clears it, for a blank pad or a form with a bad value) into #prediction and #probabilities. */
function show(model: Model, p: Prediction | null): void {
  const prediction = byId('prediction'), list = byId('probabilities');
  if (!p) {
    prediction.textContent = '';
    list.replaceChildren();
    return;
  }
  prediction.textContent = labelOf(model, p.label);
  list.replaceChildren(...p.probabilities.map((q, c) => {
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

/**
 * One field of the form. Today a model carries feature names and the standardisation's means: a number input each.
 * A categorical column (its categories from the model's per-column preprocessing, once models carry it) becomes a
 * 'choice', shown as a <select>.
 */
type Field = { kind: 'number'; name: string; initial: number } | { kind: 'choice'; name: string; choices: readonly string[] };

function fieldsOf(model: Model): Field[] {
  const d = model.spec.layers[0];
  return Array.from({ length: d }, (_, j) => ({
    kind: 'number' as const,
    name: model.featureNames?.[j] ?? `x${j + 1}`,
    // The training set's mean, where the model kept it, is a sensible first row.
    initial: model.standardization ? Number(model.standardization.mean[j].toPrecision(4)) : 0,
  }));
}

/** The model's inputs from the form's values, or the first field whose value is not one. */
function inputsOf(fields: readonly Field[], controls: readonly (HTMLInputElement | HTMLSelectElement)[]): Float32Array | string {
  const x = new Float32Array(fields.length);
  for (let j = 0; j < fields.length; j++) {
    const f = fields[j];
    if (f.kind === 'choice') return `${f.name}: categories need the model's column preprocessing, which this page does not apply yet`;
    const text = controls[j].value.trim();
    const v = text === '' ? NaN : Number(text);
    if (!Number.isFinite(v)) return `${f.name}: ${JSON.stringify(text)} is not a number`;
    x[j] = v;
  }
  return x;
}

/** A form of the model's features; the prediction follows every change. */
function featureForm(parent: HTMLElement, predictor: Predictor): void {
  const model = predictor.model;
  const fields = fieldsOf(model);
  const form = element('form');
  form.id = 'features';
  const controls = fields.map((f, j) => {
    const label = element('label', f.name);
    let control: HTMLInputElement | HTMLSelectElement;
    if (f.kind === 'choice') {
      control = element('select');
      control.append(...f.choices.map((c) => element('option', c)));
    } else {
      control = element('input');
      control.type = 'number';
      control.step = 'any';
      control.value = String(f.initial);
    }
    control.name = `f${j}`;
    label.append(control);
    form.append(label);
    return control;
  });
  const status = byId('status');
  const update = (): void => {
    const x = inputsOf(fields, controls);
    status.textContent = typeof x === 'string' ? x : '';
    show(model, typeof x === 'string' ? null : predictor.predict(x));
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
    if (!res.ok) throw new Error(`${MODEL_FILE}: HTTP ${res.status} ${res.statusText}`);
    model = decodeModel(new Uint8Array(await res.arrayBuffer()), MODEL_FILE);
  } catch (e) {
    const local = location.protocol === 'file:' ? ' (a page opened as a file cannot fetch its model: serve the folder, e.g. with `trainer serve`)' : '';
    byId('status').textContent = `${(e as Error).message}${local}`;
    return;
  }
  byId('about').textContent = describe(model);
  const predictor = createPredictor(model);
  if (isDigitModel(model)) drawingPad(byId('input'), predictor);
  else featureForm(byId('input'), predictor);
  document.body.dataset.ready = 'true';
}

void main();
