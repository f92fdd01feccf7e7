/**
 * `pnpm fuzz [--cases N] [--seed S]`: the longer run of the fuzz test (test/fuzz.test.ts): N seeded mutants of each
 * reader's file (default 3,000 each; a tenth of that for the slow image decoders), each required to end in our own one-line error or a valid result.
 */
import { parseArgs } from 'node:util';
import { fuzz } from '../test/fuzz/readers.ts';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '3000' }, seed: { type: 'string', default: '1' } } });
const cases = Number(values.cases), seed = Number(values.seed);
const t0 = performance.now();
const { escaped, total, slowest, peakRssMiB } = await fuzz(cases, seed, (name, n) => process.stdout.write(`${name}: ${n} mutants\n`));
process.stdout.write(`${total} mutants (seed ${seed}) in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${escaped.length} ended otherwise than in our error or a result\n`);
process.stdout.write(`slowest case ${slowest.ms.toFixed(1)} ms (${slowest.what}); peak memory ${peakRssMiB} MiB\n`);
for (const e of escaped.slice(0, 50)) process.stdout.write(`  ${e}\n`);
process.exitCode = escaped.length ? 1 : 0;
