import { Command } from 'commander';
import { BENCH, BENCH_DEFAULTS, MERGE, NETWORK, SCHEDULE, TABLES, TRAIN_DEFAULTS, WORKERS } from '../options.ts';
import { DEFAULT_CHUNK } from '../pool/session.ts';
import { addFlags, chooseKernel, flagOption, jsonOption, namingFlags } from './options.ts';

/** The `trainer` program; each action loads its implementation. Exported so tests parse argv without spawning. */
export function createProgram(): Command {
  const program = new Command('trainer')
    .description('Train multilayer perceptrons with Hogwild! SGD on every core: lock-free workers sharing one set of weights.')
    .addHelpText('after', `
Examples:
  pnpm trainer run                                   MNIST (bundled), defaults below, a worker per physical core
  pnpm trainer run --workers 1 --layers 784,100,10 --activation sigmoid --loss cross-entropy --init uniform --lr 0.033 --schedule constant --epochs 1
                                                     the reference configuration R of the original numpy project
  pnpm trainer eval --model mnist.safetensors
  pnpm trainer predict --model mnist.safetensors digit.png
  pnpm trainer bench --workers 1,2 --repeat 3
  pnpm trainer bench --workers 1,2,4,8,16 --simulate --layers 784,128,10 --activation relu --loss softmax --init he --lr 0.02 --schedule cosine --epochs 5 --target 0.98
                                                     how many samples 16 workers need to reach 98%, on any machine

Exit codes: 0 done, 1 bad input or a failed worker, 2 bad usage, 130 interrupted. Add --debug for stack traces.`);

  const run = program
    .command('run')
    .description('train on an Arrow dataset (default: the bundled MNIST), with test accuracy after every epoch')
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
    .option('--force', 'replace the --save file if it exists (never one of the datasets)')
    .addOption(flagOption({ ...SCHEDULE.epochs, flag: '--checkpoint-every <n>', help: 'also save a checkpoint every n epochs (next to --save)' }));
  addFlags(run, WORKERS, { kernel: TRAIN_DEFAULTS.kernel, chunk: DEFAULT_CHUNK }, ['kernel', 'chunk']);
  addFlags(run, MERGE, { every: 'auto' });
  addFlags(run, WORKERS, {}, ['simulate']);
  run
    .addOption(jsonOption())
    .addHelpText('after', `
Defaults: --layers input,${TRAIN_DEFAULTS.hidden.join(',')},classes --activation ${TRAIN_DEFAULTS.activation} --loss ${TRAIN_DEFAULTS.loss} --init ${TRAIN_DEFAULTS.init} --lr ${TRAIN_DEFAULTS.lr} --schedule ${TRAIN_DEFAULTS.schedule} --epochs ${TRAIN_DEFAULTS.epochs}
The reference configuration R: --layers 784,100,10 --activation sigmoid --loss cross-entropy --init uniform --lr 0.033 --schedule constant

Determinism: with --workers 1 and the same --seed, two runs write bit-identical models. With more workers,
Hogwild! lets the threads race on the shared weights without locks, so results vary slightly from run to run.
Ctrl-C stops at the next chunk and saves a checkpoint; a second Ctrl-C quits at once.`)
    .action(async (opts, cmd: Command) => namingFlags(async () => (await import('./run.ts')).runCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) })));

  program
    .command('eval')
    .description('score a model on a dataset with parallel evaluation: accuracy, per-class precision/recall, confusion matrix')
    .requiredOption('--model <file>', 'a .safetensors model written by `trainer run --save`, or the reference project\'s text model with --layers')
    .option('--data <file>', 'an Arrow dataset (default: the bundled MNIST test set)')
    .option('--csv <file>', 'raw rows of a CSV table, preprocessed as the model was trained (its columns by name, missing values, categories); needs --label')
    .option('--parquet <file>', 'raw rows of a Parquet table, as --csv')
    .option('--arrow <file>', 'raw rows of an Arrow table, as --csv')
    .option('--label <column>', 'with --csv, --parquet or --arrow: the label column (name or 0-based index)')
    .option('--full-matrix', 'print the whole confusion matrix, even past 20 classes')
    .addOption(flagOption({ ...NETWORK.layers, help: 'with a text model of the reference project: its layer sizes, e.g. 784,100,10' }))
    .addOption(flagOption(NETWORK.activation))
    .addOption(flagOption(NETWORK.loss))
    .addOption(inputScaleOption())
    .addOption(flagOption(WORKERS.workers))
    .addOption(flagOption(WORKERS.kernel, TRAIN_DEFAULTS.kernel))
    .addOption(jsonOption())
    .action(async (opts, cmd: Command) => namingFlags(async () => (await import('./eval.ts')).evalCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) })));

  program
    .command('predict')
    .description('read digits from PNG or JPEG images (any size, dark-on-light or light-on-dark), or classify rows of features (--csv, --jsonl), and print the model\'s answer for each')
    .requiredOption('--model <file>', 'a .safetensors model (trained on 28x28 MNIST-like images for image files), or the reference project\'s text model with --layers')
    .option('--csv <file>', 'classify each row of this CSV ("-": stdin); a header naming the model\'s features picks them from any columns, else each row is exactly the features')
    .option('--jsonl [file]', 'classify JSON lines (default: stdin), each an array of the features or an object naming them')
    .addOption(flagOption({ ...NETWORK.layers, help: 'with a text model of the reference project: its layer sizes, e.g. 784,100,10' }))
    .addOption(flagOption(NETWORK.activation))
    .addOption(flagOption(NETWORK.loss))
    .addOption(inputScaleOption())
    .argument('[images...]', 'image files (PNG, JPEG, …)')
    .addOption(jsonOption())
    .option('--show', 'also draw each preprocessed 28x28 image as ASCII art')
    .action(async (images, opts) => (await import('./predict.ts')).predictCommand(images, opts));

  program
    .command('convert-model')
    .description('write the reference project\'s text model as a safetensors model (PyTorch nn.Linear layout, with its architecture)')
    .requiredOption('--model <file>', 'the text model: rows of W then b per layer, numbers in %.6e')
    .addOption(flagOption({ ...NETWORK.layers, help: 'its layer sizes, e.g. 784,100,10' }).makeOptionMandatory())
    .addOption(flagOption(NETWORK.activation))
    .addOption(flagOption(NETWORK.loss))
    .addOption(inputScaleOption())
    .requiredOption('--out <file>', 'the .safetensors file to write')
    .option('--force', 'replace --out if it exists')
    .addHelpText('after', '\nThe activation and loss default to the reference\'s: sigmoid and cross-entropy.')
    .action(async (opts) => (await import('./convert-model.ts')).convertModelCommand(opts));

  program
    .command('gradcheck')
    .description('compare backpropagation with central differences on a small network; exit 1 if they disagree')
    .addOption(flagOption({ ...NETWORK.layers, help: 'layer sizes of the checked network' }, [8, 6, 5, 4]))
    .addOption(flagOption(NETWORK.activation, 'sigmoid'))
    .addOption(flagOption(NETWORK.loss, 'cross-entropy'))
    .option('--all', 'check every activation and loss combination')
    .addOption(flagOption({ ...SCHEDULE.seed, help: 'seed of the random network and samples' }, 1))
    .addOption(flagOption({ ...SCHEDULE.lr, flag: '--tolerance <x>', help: 'largest relative error that passes' }, 1e-4))
    .addOption(jsonOption())
    .action(async (opts) => (await import('./gradcheck.ts')).gradcheckCommand(opts));

  const bench = program
    .command('bench')
    .description('measure time to accuracy across worker counts (samples/s, samples to --target, and their product): table, bench.json and a chart')
    .option('--workers <list>', 'worker counts, e.g. 1,2,4,8 (default: 1, 2, 4, … up to the physical cores)')
    .addOption(flagOption({ ...SCHEDULE.epochs, help: 'epochs per measurement' }, BENCH_DEFAULTS.epochs))
    .addOption(flagOption(BENCH.repeat, 3))
    .addOption(flagOption(BENCH.target))
    .addOption(flagOption(BENCH.evals, 16))
    .addOption(flagOption({ ...WORKERS.simulate, help: 'run the workers as logical workers taking turns in one thread: deterministic accuracy and samples to the target for any worker count, on any machine (not its speed)' }))
    .addOption(flagOption(BENCH.ceiling))
    .option('--data <file>', 'training set (default: bundled MNIST)')
    .option('--test <file>', 'test set')
    .addOption(flagOption({ ...NETWORK.layers, help: `layer sizes (default: input,${BENCH_DEFAULTS.hidden.join(',')},classes, the reference R)` }));
  addFlags(bench, NETWORK, {}, ['activation', 'loss', 'init']);
  addFlags(bench, SCHEDULE, BENCH_DEFAULTS, ['lr', 'schedule', 'seed']);
  bench
    .addOption(flagOption(WORKERS.kernel, BENCH_DEFAULTS.kernel))
    .option('--out <dir>', 'where bench.json and bench.svg go', 'bench-out');
  addFlags(bench, MERGE, { every: 'auto' });
  bench
    .addOption(jsonOption())
    .action(async (opts, cmd: Command) => namingFlags(async () => (await import('./bench.ts')).benchCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) })));

  return program;
}

/** With a text model: what each input is multiplied by. */
function inputScaleOption() {
  return flagOption({ ...SCHEDULE.lr, flag: '--input-scale <x>', help: 'with a text model: what each input is multiplied by (default 1/255, pixels to [0, 1])' });
}
