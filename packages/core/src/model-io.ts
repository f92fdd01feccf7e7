import { readFileSync, statSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.ts';
import { ModelFileError } from './errors.ts';
import { decodeModel, modelChunks, type Model } from './safetensors.ts';

/** Model files on the disk (Node only): the format itself, from and to bytes, is safetensors.ts. */

/**
 * Writes through the one atomic writer (atomic-file.ts), so no half-written model stays under the name, a piece at a
 * time (modelChunks: the weights are not held twice); file-system errors are thrown as they are.
 */
export function saveModel(file: string, model: Model): void {
  writeFileAtomic(file, modelChunks(model));
}

/**
 * Reads and decodes a .safetensors model file; a missing file, a directory, a device or an unreadable file is a
 * ModelFileError naming the file, and so is a malformed one (decodeModel).
 */
export function loadModel(file: string): Model {
  let bytes: Uint8Array;
  try {
    const st = statSync(file);
    if (!st.isDirectory() && !st.isFile()) throw new ModelFileError(file, 'is not a regular file (a device, pipe or socket)');
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ModelFileError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelFileError(file, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a .safetensors file' : `cannot read (${code})`);
  }
  return decodeModel(bytes, file);
}
