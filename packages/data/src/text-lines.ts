/** A text file read line by line as a stream (memory: one line), each line with its 1-based number. */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { InputError } from './errors.ts';
import { checkInputFile, describeFsError } from './files.ts';

/** The lines of `file` (without their \n or \r\n), numbered from 1; `onBytes` hears how far the reading is. */
export async function* textLines(file: string, onBytes?: (done: number, total: number) => void): AsyncGenerator<{ line: string; n: number }> {
  const total = checkInputFile(file);
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  let failed: unknown = null;
  input.on('error', (e) => { failed = e; });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of rl) {
      n++;
      if (onBytes && (n & 0x3fff) === 0) onBytes(input.bytesRead, total);
      yield { line, n };
    }
  } catch (e) {
    failed ??= e;
  } finally {
    rl.close();
    input.destroy();
  }
  if (failed) throw new InputError(file, describeFsError(failed));
}
