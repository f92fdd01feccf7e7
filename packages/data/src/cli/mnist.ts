import { cacheLocation, ensureMnist, MNIST_ROWS, type MnistCacheEvent } from '../mnist.ts';

const FROM = { env: 'from HOGWILD_CACHE', project: 'the project\'s node_modules/.cache', user: 'the user\'s cache folder' } as const;

/** `pnpm data mnist`: converts or checks the cache and says which, and where the cache is and why there. */
export async function mnistCommand(o: { json?: boolean }): Promise<void> {
  const events: MnistCacheEvent[] = [];
  const cache = cacheLocation();
  await ensureMnist((e) => events.push(e));
  if (o.json) {
    process.stdout.write(JSON.stringify({ cache: cache.dir, cacheFrom: cache.from, splits: events }) + '\n');
    return;
  }
  process.stdout.write(`cache ${cache.dir} (${FROM[cache.from]})\n`);
  for (const e of events) {
    process.stdout.write(`${e.split.padEnd(5)} ${e.action === 'cached' ? 'cached   ' : 'converted'} ${e.file} (${MNIST_ROWS[e.split]} rows, ${e.seconds.toFixed(2)} s)\n`);
  }
}
