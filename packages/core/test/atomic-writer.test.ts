import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openAtomic, tempFileName, writeChunksAtomic, writeFileAtomic } from '../src/atomic-file.ts';
import { loadModel, saveModel } from '../src/model-io.ts';
import { allocateParams, paramLayout } from '../src/params.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'hogwild-atomic-'));
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const ATOMIC = pathToFileURL(join(import.meta.dirname, '../src/atomic-file.ts')).href;
// No such process; the parent of this test process is alive (and may be writing).
const DEAD = 999_999_999;

/**
 * Runs a writer in a child process that stops half-way (its second chunk never comes), then does `then` to it:
 * resolves with how it ended and what is left in its folder.
 */
function halfWrite(then: 'SIGINT' | 'SIGTERM' | 'exit'): Promise<{ code: number | null; signal: NodeJS.Signals | null; left: string[]; sawTemp: boolean }> {
  const dir = tempDir();
  const script = join(dir, 'writer.mts');
  writeFileSync(script, `
    import { writeChunksAtomic } from ${JSON.stringify(ATOMIC)};
    async function* chunks() {
      yield new Uint8Array(1000);
      process.stdout.write('half\\n');
      ${then === 'exit' ? 'setTimeout(() => process.exit(3), 50);' : ''}
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      yield new Uint8Array(1);
    }
    await writeChunksAtomic(process.argv[2], chunks());
  `);
  const out = join(dir, 'out', 'data.arrow');
  return new Promise((resolve, reject) => {
    mkdirSync(join(dir, 'out'));
    const child = spawn(process.execPath, ['--import', TSX, script, out], { stdio: ['ignore', 'pipe', 'inherit'] });
    let sawTemp = false;
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the writer did not end')); }, 30_000);
    child.stdout.on('data', () => {
      sawTemp = existsSync(tempFileName(out, child.pid));
      if (then !== 'exit') child.kill(then);
    });
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, left: readdirSync(join(dir, 'out')), sawTemp }); });
  });
}
describe('the one atomic writer (datasets and models)', () => {
  it('writes under NAME.PID.tmp and renames it over the target only when complete', async () => {
    const dir = tempDir();
    const file = join(dir, 'x.bin');
    const out = openAtomic(file);
    out.write(new Uint8Array([1, 2, 3]));
    expect(readdirSync(dir)).toEqual([`x.bin.${process.pid}.tmp`]);
    expect(out.commit()).toBe(3);
    expect(readdirSync(dir)).toEqual(['x.bin']);
    expect(await writeChunksAtomic(file, [new Uint8Array([4]), new Uint8Array([5, 6])])).toBe(3);
    expect([...readFileSync(file)]).toEqual([4, 5, 6]);
  });

  it('removes its temporary file when a chunk fails, and leaves the target as it was', async () => {
    const dir = tempDir();
    const file = join(dir, 'x.bin');
    writeFileAtomic(file, new Uint8Array([9]));
    async function* failing() { yield new Uint8Array(10); throw new Error('the source failed'); }
    await expect(writeChunksAtomic(file, failing())).rejects.toThrow('the source failed');
    expect(readdirSync(dir)).toEqual(['x.bin']);
    expect([...readFileSync(file)]).toEqual([9]);
  });

  it('a model save removes the temporary files of dead writers of the same name, as a dataset write does, and only those', () => {
    const dir = tempDir();
    const file = join(dir, 'm.safetensors');
    const dead = tempFileName(file, DEAD), live = tempFileName(file, process.ppid), other = tempFileName(join(dir, 'other.safetensors'), DEAD);
    for (const f of [dead, live, other]) writeFileSync(f, 'partial');
    const layers = [3, 2];
    saveModel(file, { spec: { layers, activation: 'relu', loss: 'softmax' }, params: allocateParams(paramLayout(layers)), inputShape: [3], inputScale: 1 });
    expect(readdirSync(dir).sort()).toEqual(['m.safetensors', `m.safetensors.${process.ppid}.tmp`, `other.safetensors.${DEAD}.tmp`].sort());
    expect(loadModel(file).spec.layers).toEqual(layers);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`a ${signal === 'SIGINT' ? 'Ctrl-C (SIGINT)' : 'SIGTERM'} during a write removes the temporary file, and the process still ends by the signal (exit status ${signal === 'SIGINT' ? 130 : 143})`, async () => {
      const r = await halfWrite(signal);
      expect(r.sawTemp).toBe(true);
      expect(r.signal).toBe(signal);
      expect(r.left).toEqual([]);
    });
  }

  it('a process.exit during a write removes the temporary file', async () => {
    const r = await halfWrite('exit');
    expect(r.sawTemp).toBe(true);
    expect(r.code).toBe(3);
    expect(r.left).toEqual([]);
  });
});
