import { Command, InvalidArgumentError } from 'commander';
import { REFERENCE_SPEC } from '@hogwild/core/internal';
import { examplesHelp } from '@hogwild/core/cli';
import { BENCH, BENCH_DEFAULTS, DEFAULT_CHUNK, MERGE, MERGE_DEFAULTS, NETWORK, REGRESSION_LR, SAVE, SCHEDULE, SPARSE_DEFAULTS, START, TABLES, TRAIN_DEFAULTS, WORKERS } from '../options.ts';
import { ExpectedError } from '../errors.ts';
import { addFlags, chooseKernel, flagOption, jsonOption, namingFlags } from './options.ts';

/** The reference configuration R of the original project as flags (core's REFERENCE_SPEC, bench's defaults). */
const R_FLAGS = `--layers ${REFERENCE_SPEC.layers.join(',')} --activation ${REFERENCE_SPEC.activation} --loss ${REFERENCE_SPEC.loss} --init ${BENCH_DEFAULTS.init} --lr ${BENCH_DEFAULTS.lr} --schedule ${BENCH_DEFAULTS.schedule}`;
/** gradcheck's network: small enough to check every weight by central differences. */
const GRADCHECK_LAYERS = [8, 6, 5, 4];

/**
 * The `trainer` program; each action loads its implementation. Exported so tests parse argv without spawning.
 * `name` is what usage and error lines call it, `invocation` what its examples type: in this workspace `trainer` and
 * `pnpm trainer`, installed from npm the bin `hogwild-trainer` (cli/main.ts chooses).
 */
export function createProgram(name = 'trainer', invocation = `pnpm ${name}`): Command {
  const program = new Command(name)
    .description('Train multilayer perceptrons with Hogwild! SGD on every core: lock-free workers sharing one set of weights.')
    .addHelpText('after', `
Examples:
${examplesHelp(invocation, [
  ['run', 'MNIST (bundled), defaults below, a worker per physical core'],
  [`run --workers 1 ${R_FLAGS} --epochs 1`, 'the reference configuration R of the original numpy project'],
  ['eval --model mnist.safetensors'],
  ['predict --model mnist.safetensors digit.png'],
  ['bench --workers 1,2 --repeat 3'],
  ['bench --workers 1,2,4,8,16 --simulate --layers 784,128,10 --activation relu --loss softmax --init he --lr 0.02 --schedule cosine --epochs 5 --target 0.98', 'how many samples 16 workers need to reach 98%, on any machine'],
])}

Exit codes: 0 done, 1 bad input or a failed worker, 2 bad usage, 130 interrupted. Add --debug for stack traces.`);

  const run = program
    .command('run')
    .description('train on an Arrow dataset (default: the bundled MNIST), with test accuracy (a regression: RMSE, MAE, R²) after every epoch')
    .option('--data <file>', 'training set, an Arrow file from `pnpm data convert` (default: bundled MNIST)')
    .option('--test <file>', 'test set, evaluated after every epoch (default with MNIST: its 10,000 test images)')
    .addOption(flagOption(WORKERS.workers))
    .addOption(flagOption({ ...NETWORK.layers, help: `layer sizes, input to output (default: input,${TRAIN_DEFAULTS.hidden.join(',')},classes)` }));
  addFlags(run, NETWORK, {}, ['activation', 'loss', 'init']);
  // No default epochs or rate here: train() gives small tables more epochs (defaultEpochs), regression its own rate.
  addFlags(run, SCHEDULE, { ...TRAIN_DEFAULTS, epochs: undefined, lr: undefined });
  run
    .addOption(flagOption(TABLES.standardize))
    .option('--full-matrix', 'print the whole confusion matrix, even past 20 classes')
    .option('--save <file>', 'write the trained model (safetensors, loadable by PyTorch nn.Linear) here')
    .addOption(flagOption(SAVE.compact))
    .option('--force', 'replace the --save file if it exists (never one of the datasets)')
    .addOption(flagOption({ ...SCHEDULE.epochs, flag: '--checkpoint-every <n>', help: 'also save a checkpoint every n epochs (next to --save)' }))
    .addOption(flagOption(START.resume));
  addFlags(run, WORKERS, { kernel: TRAIN_DEFAULTS.kernel, chunk: DEFAULT_CHUNK }, ['kernel', 'chunk']);
  addFlags(run, MERGE, MERGE_DEFAULTS);
  addFlags(run, WORKERS, {}, ['simulate']);
  run
    .addOption(jsonOption())
    .option('--verbose', 'a longer header: the parameters, init, standardisation and merge details')
    .addHelpText('after', `
Defaults: --layers input,${TRAIN_DEFAULTS.hidden.join(',')},classes --activation ${TRAIN_DEFAULTS.activation} --loss ${TRAIN_DEFAULTS.loss} --init ${TRAIN_DEFAULTS.init} --lr ${TRAIN_DEFAULTS.lr} --schedule ${TRAIN_DEFAULTS.schedule} --epochs ${TRAIN_DEFAULTS.epochs} (a table under 10,000 rows gets more epochs, a regression lr ${REGRESSION_LR}: docs/tables.md)
The reference configuration R: ${R_FLAGS}

Determinism: with --workers 1 and the same --seed, two runs write bit-identical models. With more workers,
Hogwild! lets the threads race on the shared weights without locks, so results vary slightly from run to run.
Ctrl-C stops at the next chunk and saves a checkpoint; a second Ctrl-C quits at once. --resume CHECKPOINT continues
it on its data, with its flags, and saves the model at its --save (flags given beside it win; --data continues on
other rows with the same features); at --workers 1 it ends with the model of an uninterrupted run, bit for bit.

Examples:
  pnpm trainer run --workers 2 --save mnist.safetensors          the bundled MNIST, 2 worker threads
  pnpm trainer run --data fruit.arrow --seed 1 --save fruit.safetensors    a table from pnpm data convert
  pnpm trainer run --data d.arrow --test t.arrow --epochs 50 --lr 0.001     with a test set, more epochs
  pnpm trainer run --resume mnist.checkpoint.safetensors          continue after Ctrl-C`)
    .action(async (opts, cmd: Command) => namingFlags(async () => {
      const { resumeFlags, runCommand } = await import('./run.ts');
      const given = (key: string) => ![undefined, 'default'].includes(cmd.getOptionValueSource(key));
      await runCommand(resumeFlags({ ...opts, kernel: chooseKernel(opts.kernel, cmd), invocation }, given));
    }));

  modelFileFlags(program
    .command('eval')
    .description('score a model on a dataset with parallel evaluation: accuracy, per-class precision/recall, confusion matrix (a regression: RMSE, MAE, R², residuals)'))
    .option('--data <file>', 'an Arrow dataset (default: the bundled MNIST test set)')
    .option('--csv <file>', 'raw rows of a CSV table, preprocessed as the model was trained (its columns by name, missing values, categories; a text model\'s text as it is)')
    .option('--parquet <file>', 'raw rows of a Parquet table, as --csv')
    .option('--arrow <file>', 'raw rows of an Arrow table, as --csv')
    .option('--label <column>', 'with --csv, --parquet or --arrow: the label column (name or 0-based index; default: the one the model was trained on, or "label" for a text model of fastText data)')
    .option('--full-matrix', 'print the whole confusion matrix, even past 20 classes')
    .addOption(flagOption(WORKERS.workers))
    .addOption(flagOption(WORKERS.kernel, TRAIN_DEFAULTS.kernel))
    .addOption(jsonOption())
    .addHelpText('after', `
Examples:
  pnpm trainer eval --model mnist.safetensors                     the bundled MNIST test set
  pnpm trainer eval --model fruit.safetensors --csv fruit-test.csv --json    raw rows; the label column the model's
  pnpm trainer eval --model m.safetensors --data test.arrow --full-matrix    a dataset, the whole confusion matrix`)
    .action(async (opts, cmd: Command) => namingFlags(async () => (await import('./eval.ts')).evalCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) })));

  program
    .command('predict')
    .description('read digits from PNG or JPEG images (any size, dark-on-light or light-on-dark), or predict rows of features (--csv, --jsonl: a class, or a regression\'s value), and print the model\'s answer for each')
    .requiredOption('--model <file>', 'a .safetensors model (trained on 28x28 MNIST-like images for image files), or the reference project\'s text model with --layers')
    .option('--csv <file>', 'predict each row of this CSV ("-": stdin); a header naming the model\'s features picks them from any columns, else each row is exactly the features')
    .option('--jsonl [file]', 'predict JSON lines (default: stdin), each an array of the features or an object naming them; for a text model, an object naming its columns or a JSON string')
    .option('--text [text]', 'a text model (trained on data convert --fasttext or a CSV\'s text column): predict this text (repeat for more); without a value, each line of stdin is a text', (v: string, prev: string[] | true | undefined) => [...(Array.isArray(prev) ? prev : []), v])
    .addOption(flagOption({ ...NETWORK.layers, help: 'with a text model of the reference project: its layer sizes, e.g. 784,100,10' }))
    .addOption(flagOption(NETWORK.activation))
    .addOption(flagOption(NETWORK.loss))
    .addOption(inputScaleOption())
    .argument('[images...]', 'image files (PNG, JPEG, …)')
    .addOption(jsonOption())
    .option('--show', 'also draw each preprocessed 28x28 image as ASCII art')
    .addHelpText('after', `
Examples:
  pnpm trainer predict --model mnist.safetensors test/fixtures/digits/pen-7.png
  pnpm trainer predict --model fruit.safetensors --csv fruit-test.csv --json
  echo '{"weight":120,"color":"red","ripe":true}' | pnpm trainer predict --model fruit.safetensors --jsonl
  pnpm trainer predict --model spam.safetensors --text "free money now" --text "see you at lunch"
  pnpm trainer predict --model spam.safetensors --csv emails.csv     a header naming the text column ("text" for --fasttext data)`)
    .action(async (images, opts) => (await import('./predict.ts')).predictCommand(images, opts));

  program
    .command('convert-model')
    .description('convert between the reference project\'s text model and a safetensors model (PyTorch nn.Linear layout, with its architecture), in the direction the --model file\'s format says')
    .requiredOption('--model <file>', 'a text model (rows of W then b per layer, numbers in %.6e) with --layers, or a .safetensors model')
    .addOption(flagOption({ ...NETWORK.layers, help: 'the text model\'s layer sizes, e.g. 784,100,10' }))
    .addOption(flagOption(NETWORK.activation))
    .addOption(flagOption(NETWORK.loss))
    .addOption(inputScaleOption())
    .requiredOption('--out <file>', 'the file to write: a .safetensors model from a text model, a text model from a .safetensors one')
    .addOption(flagOption(SAVE.compact))
    .option('--force', 'replace --out if it exists')
    .addHelpText('after', `
A text model's activation and loss default to the reference's: sigmoid and cross-entropy. A safetensors model's text
holds its weights only: the line printed names the flags that read it back.

Examples:
  pnpm trainer convert-model --model mnist.safetensors --out model.txt                  to the reference's text
  pnpm trainer convert-model --model model.txt --layers 784,100,10 --out m.safetensors  and back
  pnpm trainer convert-model --model spam.safetensors --compact i8 --out spam-i8.safetensors  smaller, for a page`)
    .action(async (opts) => (await import('./convert-model.ts')).convertModelCommand(opts));

  program
    .command('gradcheck')
    .description('compare backpropagation with central differences on a small network; exit 1 if they disagree')
    .addOption(flagOption({ ...NETWORK.layers, help: 'layer sizes of the checked network' }, GRADCHECK_LAYERS))
    .addOption(flagOption(NETWORK.activation, 'sigmoid'))
    .addOption(flagOption(NETWORK.loss, 'cross-entropy'))
    .option('--all', 'check every activation and loss combination')
    .addOption(flagOption({ ...SCHEDULE.seed, help: 'seed of the random network and samples' }, 1))
    .addOption(flagOption({ ...SCHEDULE.labelSmoothing, help: 'check the smoothed softmax cost and its gradients (with --all: the softmax networks)' }))
    .addOption(flagOption({
      flag: '--tolerance <x>', help: 'largest relative error that passes', parse: Number,
      check: (v) => {
        if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v)) throw new ExpectedError('a number ≥ 0');
        return v;
      },
    }, 1e-4))
    .addOption(jsonOption())
    .addHelpText('after', `
Examples:
  pnpm trainer gradcheck --all                                   every activation and loss
  pnpm trainer gradcheck --activation relu --loss softmax --label-smoothing 0.1`)
    .action(async (opts) => namingFlags(async () => (await import('./gradcheck.ts')).gradcheckCommand(opts)));

  const bench = program
    .command('bench')
    .description('measure time to accuracy across worker counts (samples/s, samples to --target, and their product): table, bench.json and a chart')
    .option('--workers <list>', 'worker counts, e.g. 1,2,4,8 (default: 1, 2, 4, … up to the physical cores)')
    .addOption(flagOption({ ...SCHEDULE.epochs, help: `epochs per measurement (default: ${BENCH_DEFAULTS.epochs}; sparse data: ${SPARSE_DEFAULTS.epochs})` }))
    .addOption(flagOption(BENCH.repeat, BENCH_DEFAULTS.repeat))
    .addOption(flagOption(BENCH.target))
    .addOption(flagOption({ ...BENCH.evals, help: `${BENCH.evals.help} (default: ${BENCH_DEFAULTS.evals}; sparse data: ${SPARSE_DEFAULTS.evals})` }))
    .addOption(flagOption({ ...WORKERS.simulate, help: 'run the workers as logical workers taking turns in one thread: deterministic accuracy and samples to the target for any worker count, on any machine (not its speed)' }))
    .addOption(flagOption(BENCH.ceiling))
    .option('--data <file>', 'training set (default: bundled MNIST)')
    .option('--test <file>', 'test set')
    .addOption(flagOption({ ...NETWORK.layers, help: `layer sizes (default: input,${BENCH_DEFAULTS.hidden.join(',')},classes, the reference R)` }));
  addFlags(bench, NETWORK, {}, ['activation', 'loss', 'init']);
  // lr and schedule default by the data (the reference R's, or sparse data's): the resolved run says which.
  addFlags(bench, SCHEDULE, { seed: BENCH_DEFAULTS.seed }, ['lr', 'schedule', 'seed', 'labelSmoothing']);
  bench
    .addOption(flagOption(WORKERS.kernel, BENCH_DEFAULTS.kernel))
    .option('--out <dir>', 'where bench.json and bench.svg go', 'bench-out')
    .option('--force', 'replace the bench.json and bench.svg of an earlier bench in --out');
  addFlags(bench, MERGE, MERGE_DEFAULTS);
  bench
    .addOption(jsonOption())
    .addHelpText('after', `
Examples:
  pnpm trainer bench --workers 1,2 --repeat 3 --target 0.98      time to 98% on the bundled MNIST
  pnpm trainer bench --workers 1,2 --ceiling                     beside the same workers sharing nothing
  pnpm trainer bench --workers 1,4,16 --simulate                 how many workers learn, on any machine
  pnpm trainer bench --data d.arrow --test t.arrow --workers 1,2  a table (a regression is scored by R²)`)
    .action(async (opts, cmd: Command) => namingFlags(async () => (await import('./bench.ts')).benchCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) })));

  modelFileFlags(program
    .command('export-web')
    .description('write the model as a static web page (index.html, infer.js, page.js, model.safetensors) that any static host serves: a drawing pad with live probabilities for a 28x28 digit model, a form of the features for a table\'s'))
    .requiredOption('--out <dir>', 'the folder to write (created if missing)')
    .addOption(flagOption(SAVE.compact))
    .option('--force', 'write into a folder that is not empty (replacing only the page\'s four files)')
    .addHelpText('after', `
Examples:
  pnpm trainer export-web --model mnist.safetensors --out web     then serve web/ from any static host
  pnpm trainer export-web --model spam.safetensors --compact i8 --out web    a smaller model.safetensors`)
    .action(async (opts) => (await import('./export-web.ts')).exportWebCommand(opts));

  modelFileFlags(program
    .command('serve')
    .description('preview the page of export-web on 127.0.0.1, from memory, until Ctrl-C'))
    .option('--port <n>', 'the port (0: any free one; the URL is printed)', portNumber, 8080)
    .addHelpText('after', `
Example:
  pnpm trainer serve --model mnist.safetensors --port 8080        open http://127.0.0.1:8080/ (--port 0: any free port)`)
    .action(async (opts) => (await import('./serve.ts')).serveCommand(opts));

  return program;
}

/** --model and, for a text model of the reference project, its architecture, as predict takes them. */
function modelFileFlags(cmd: Command): Command {
  return cmd
    .requiredOption('--model <file>', 'a .safetensors model written by `trainer run --save`, or the reference project\'s text model with --layers')
    .addOption(flagOption({ ...NETWORK.layers, help: 'with a text model of the reference project: its layer sizes, e.g. 784,100,10' }))
    .addOption(flagOption(NETWORK.activation))
    .addOption(flagOption(NETWORK.loss))
    .addOption(inputScaleOption());
}

/** A TCP port, 0 to 65535. */
function portNumber(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535');
  return n;
}

/** With a text model: what each input is multiplied by. */
function inputScaleOption() {
  return flagOption({ ...SCHEDULE.lr, flag: '--input-scale <x>', help: 'with a text model: what each input is multiplied by (default 1/255, pixels to [0, 1])' });
}
