import { cacheDir, ensureMnist, MNIST_ROWS, type MnistCacheEvent } from '../mnist.ts';

/** `pnpm data mnist`: converts or checks the cache and says which. */
export async function mnistCommand(o: { json?: boolean }): Promise<void> {
  const events: MnistCacheEvent[] = [];
  await ensureMnist((e) => events.push(e));
  if (o.json) {
    process.stdout.write(JSON.stringify({ cache: cacheDir(), splits: events }) + '\n');
    return;
  }
  for (const e of events) {
    process.stdout.write(`${e.split.padEnd(5)} ${e.action === 'cached' ? 'cached   ' : 'converted'} ${e.file} (${MNIST_ROWS[e.split]} rows, ${e.seconds.toFixed(2)} s)\n`);
  }
}
