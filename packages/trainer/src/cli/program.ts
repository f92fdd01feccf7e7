import { Command, Option } from 'commander';
import { numberIn } from '@hogwild/core/cli';
import { chooseKernel, syncOption, syncDenseOption, syncStretchOption, syncTailOption, syncTouchesOption, activationOption, initOption, jsonOption, kernelOption, lossOption, positive, positiveNumber, workersOption } from './options.ts';
import { RUN_DEFAULTS } from './run-defaults.ts';
import { SCHEDULES } from '../schedule.ts';

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

  program
    .command('run')
    .description('train on an Arrow dataset (default: the bundled MNIST), with test accuracy after every epoch')
    .option('--data <file>', 'training set, an Arrow file from `pnpm data convert` (default: bundled MNIST)')
    .option('--test <file>', 'test set, evaluated after every epoch (default with MNIST: its 10,000 test images)')
    .addOption(workersOption())
    .option('--layers <sizes>', `layer sizes, input to output (default: input,${RUN_DEFAULTS.hidden.join(',')},classes)`)
    .addOption(activationOption())
    .addOption(lossOption())
    .addOption(initOption())
    .option('--lr <rate>', 'learning rate (per-sample SGD)', positiveNumber, RUN_DEFAULTS.lr)
    .addOption(new Option('--schedule <name>', 'learning-rate schedule over the epochs: constant (the reference), step, or cosine decay').choices(SCHEDULES as string[]).default(RUN_DEFAULTS.schedule))
    .option('--lr-step <epochs>', 'with --schedule step: epochs between decays', positive, 1)
    .option('--lr-gamma <factor>', 'with --schedule step: factor of each decay', positiveNumber, 0.5)
    .option('--epochs <n>', 'passes over the training set', positive, RUN_DEFAULTS.epochs)
    .option('--seed <n>', 'seed of the initial weights and of every epoch\'s shuffle', positive, 1)
    .option('--save <file>', 'write the trained model (safetensors, loadable by PyTorch nn.Linear) here')
    .option('--force', 'replace the --save file if it exists (never one of the datasets)')
    .option('--checkpoint-every <n>', 'also save a checkpoint every n epochs (next to --save)', positive)
    .addOption(kernelOption())
    .addOption(new Option('--chunk <n>', 'samples a worker trains between progress updates and stop checks').argParser(positive).default(256))
    .addOption(syncOption())
    .addOption(syncDenseOption())
    .addOption(syncTouchesOption())
    .addOption(syncTailOption())
    .addOption(syncStretchOption())
    .option('--simulate', 'run the workers as logical workers taking turns in one thread (deterministic; for studying how the worker count changes accuracy)')
    .addOption(jsonOption())
    .addHelpText('after', `
Defaults: --layers input,${RUN_DEFAULTS.hidden.join(',')},classes --activation ${RUN_DEFAULTS.activation} --loss ${RUN_DEFAULTS.loss} --init ${RUN_DEFAULTS.init} --lr ${RUN_DEFAULTS.lr} --schedule ${RUN_DEFAULTS.schedule} --epochs ${RUN_DEFAULTS.epochs}
The reference configuration R: --layers 784,100,10 --activation sigmoid --loss cross-entropy --init uniform --lr 0.033 --schedule constant

Determinism: with --workers 1 and the same --seed, two runs write bit-identical models. With more workers,
Hogwild! lets the threads race on the shared weights without locks, so results vary slightly from run to run.
Ctrl-C stops at the next chunk and saves a checkpoint; a second Ctrl-C quits at once.`)
    .action(async (opts, cmd: Command) => (await import('./run.ts')).runCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) }));

  program
    .command('eval')
    .description('score a model on a dataset with parallel evaluation: accuracy, per-class precision/recall, confusion matrix')
    .requiredOption('--model <file>', 'a .safetensors model written by `trainer run --save`, or the reference project\'s text model with --layers')
    .option('--data <file>', 'an Arrow dataset (default: the bundled MNIST test set)')
    .option('--layers <sizes>', 'with a text model of the reference project: its layer sizes, e.g. 784,100,10')
    .addOption(activationOption())
    .addOption(lossOption())
    .option('--input-scale <x>', 'with a text model: what each input is multiplied by (default 1/255, pixels to [0, 1])', positiveNumber)
    .addOption(workersOption())
    .addOption(kernelOption())
    .addOption(jsonOption())
    .action(async (opts, cmd: Command) => (await import('./eval.ts')).evalCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) }));

  program
    .command('predict')
    .description('read digits from PNG or JPEG images (any size, dark-on-light or light-on-dark), or classify rows of features (--csv, --jsonl), and print the model\'s answer for each')
    .requiredOption('--model <file>', 'a .safetensors model (trained on 28x28 MNIST-like images for image files), or the reference project\'s text model with --layers')
    .option('--csv <file>', 'classify each row of this CSV ("-": stdin); a header naming the model\'s features picks them from any columns, else each row is exactly the features')
    .option('--jsonl [file]', 'classify JSON lines (default: stdin), each an array of the features or an object naming them')
    .option('--layers <sizes>', 'with a text model of the reference project: its layer sizes, e.g. 784,100,10')
    .addOption(activationOption())
    .addOption(lossOption())
    .option('--input-scale <x>', 'with a text model: what each input is multiplied by (default 1/255, pixels to [0, 1])', positiveNumber)
    .argument('[images...]', 'image files (PNG, JPEG, …)')
    .addOption(jsonOption())
    .option('--show', 'also draw each preprocessed 28x28 image as ASCII art')
    .action(async (images, opts) => (await import('./predict.ts')).predictCommand(images, opts));

  program
    .command('convert-model')
    .description('write the reference project\'s text model as a safetensors model (PyTorch nn.Linear layout, with its architecture)')
    .requiredOption('--model <file>', 'the text model: rows of W then b per layer, numbers in %.6e')
    .requiredOption('--layers <sizes>', 'its layer sizes, e.g. 784,100,10')
    .addOption(activationOption())
    .addOption(lossOption())
    .option('--input-scale <x>', 'what each input is multiplied by (default 1/255, pixels to [0, 1])', positiveNumber)
    .requiredOption('--out <file>', 'the .safetensors file to write')
    .option('--force', 'replace --out if it exists')
    .addHelpText('after', '\nThe activation and loss default to the reference\'s: sigmoid and cross-entropy.')
    .action(async (opts) => (await import('./convert-model.ts')).convertModelCommand(opts));

  program
    .command('gradcheck')
    .description('compare backpropagation with central differences on a small network; exit 1 if they disagree')
    .option('--layers <sizes>', 'layer sizes of the checked network', '8,6,5,4')
    .addOption(activationOption().default('sigmoid'))
    .addOption(lossOption().default('cross-entropy'))
    .option('--all', 'check every activation and loss combination')
    .option('--seed <n>', 'seed of the random network and samples', positive, 1)
    .option('--tolerance <x>', 'largest relative error that passes', (v) => numberIn(-1)(v), 1e-4)
    .addOption(jsonOption())
    .action(async (opts) => (await import('./gradcheck.ts')).gradcheckCommand(opts));

  program
    .command('bench')
    .description('measure time to accuracy across worker counts (samples/s, samples to --target, and their product): table, bench.json and a chart')
    .option('--workers <list>', 'worker counts, e.g. 1,2,4,8 (default: 1, 2, 4, … up to the physical cores)')
    .option('--epochs <n>', 'epochs per measurement', positive, 1)
    .option('--repeat <n>', 'repeats per worker count (the median is reported)', positive, 3)
    .option('--target <acc>', 'report the samples, epochs and training time to reach this test accuracy (e.g. 0.98): medians over the repeats, a repeat that never reaches it counting as the slowest', positiveNumber)
    .option('--evals <n>', 'evaluations of the test set per epoch (time to the target is resolved to 1/n epoch; evaluation time is reported apart)', positive, 16)
    .option('--simulate', 'run the workers as logical workers taking turns in one thread: deterministic accuracy and samples to the target for any worker count, on any machine (not its speed)')
    .option('--ceiling', 'also run each worker count above the first with no merges, in turns with the others: the speed this machine gives workers that share nothing, and the part of it the merge protocol keeps (their model is not used)')
    .option('--data <file>', 'training set (default: bundled MNIST)')
    .option('--test <file>', 'test set')
    .option('--layers <sizes>', 'layer sizes (default: 784,100,10, the reference R)')
    .addOption(activationOption())
    .addOption(lossOption())
    .addOption(initOption())
    .option('--lr <rate>', 'learning rate', positiveNumber, 0.033)
    .addOption(new Option('--schedule <name>', 'learning-rate schedule').choices(SCHEDULES as string[]).default('constant'))
    .option('--seed <n>', 'seed: every run starts from the same weights', positive, 1)
    .addOption(kernelOption())
    .option('--out <dir>', 'where bench.json and bench.svg go', 'bench-out')
    .addOption(syncOption())
    .addOption(syncDenseOption())
    .addOption(syncTouchesOption())
    .addOption(syncTailOption())
    .addOption(syncStretchOption())
    .addOption(jsonOption())
    .action(async (opts, cmd: Command) => (await import('./bench.ts')).benchCommand({ ...opts, kernel: chooseKernel(opts.kernel, cmd) }));

  return program;
}
