/**
 * A text file read line by line as a stream (memory: one chunk and one line), each line with its 1-based number.
 * Lines come in batches, one a chunk of the file, so that a reader's loop over them awaits once a chunk, not once a line.
 */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { InputError } from './errors.ts';
import { checkInputFile, describeFsError } from './files.ts';

/** The lines of a chunk, the first numbered `first` (1-based), without their \n or \r\n. */
export interface LineBatch { readonly lines: readonly string[]; readonly first: number }

/** The lines of `file` in batches; `onBytes` hears how far the reading is. */
export async function* textLineBatches(file: string, onBytes?: (done: number, total: number) => void): AsyncGenerator<LineBatch> {
  const total = checkInputFile(file);
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  const decoder = new StringDecoder('utf8');
  const pending: string[] = [];
  let first = 1, done = 0;
  const cut = (text: string): string[] => {
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) if (lines[i].endsWith('\r')) lines[i] = lines[i].slice(0, -1);
    return lines;
  };
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      done += chunk.length;
      onBytes?.(done, total);
      // A long line spans chunks: its pieces are kept apart until its end comes, then joined once.
      if (chunk.indexOf(10) < 0) {
        pending.push(decoder.write(chunk));
        continue;
      }
      const lines = cut(pending.join('') + decoder.write(chunk));
      pending.length = 0;
      pending.push(lines.pop()!);
      if (lines.length === 0) continue;
      yield { lines, first };
      first += lines.length;
    }
  } catch (e) {
    throw new InputError(file, describeFsError(e));
  } finally {
    input.destroy();
  }
  const tail = pending.join('') + decoder.end();
  if (tail !== '') yield { lines: cut(tail), first };
}

/** The lines of `file` one by one, each with its number (see textLineBatches). */
export async function* textLines(file: string, onBytes?: (done: number, total: number) => void): AsyncGenerator<{ line: string; n: number }> {
  for await (const { lines, first } of textLineBatches(file, onBytes)) {
    for (let i = 0; i < lines.length; i++) yield { line: lines[i], n: first + i };
  }
}
