import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Jimp } from 'jimp';
import { decodeArrowDataset } from '@hogwild/data';
import { datasetFromTableFile } from '@hogwild/data';
import { readImage } from './internal.ts';
import { arrowFile, foreignText } from './fuzz/readers.ts';
import { ROOT, tempDir } from './helpers.ts';

const DIGITS = join(ROOT, 'test/fixtures/digits');
const failure = async (f: () => unknown): Promise<string> => {
  try {
    await f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected a failure');
};

describe('no JavaScript engine or library text reaches a message', () => {
  // A dataset file from apache-arrow's own writer (RecordBatchFileWriter, 40 rows in batches of 16), then one 32-bit
  // field changed: each once ended in apache-arrow's internals, "corrupted Arrow file (Cannot destructure property
  // 'length' of '(intermediate value)(intermediate value)(intermediate value)' as it is undefined.)" and the like.
  const arrowCases: [string, number, number, string][] = [
    ["a record batch's field-node count set to -1 (was: Cannot destructure property 'length')", 500, -1, "record batch 1: 0 field nodes, the schema's fields need 3"],
    ["the features list's child count set to 1 (was: Cannot read properties of undefined (reading 'type'))", 1576, 1, 'field "features" is a list or map with 0 child fields, expected 1'],
    ['a field type id set to 255 (was: Unrecognized type: "undefined" (255))', 1532, -1, 'field "features" has type id 255, not an Arrow type apache-arrow reads'],
    ['the leading schema message changed (was: Table and inner RecordBatch schemas must be equivalent.)', 184, 1, 'apache-arrow cannot decode its schema or record batches'],
  ];
  for (const [what, at, value, message] of arrowCases) {
    it(`an Arrow dataset with ${what} says what is wrong in our words`, async () => {
      const bytes = Uint8Array.from(await arrowFile());
      new DataView(bytes.buffer).setInt32(at, value, true);
      const m = await failure(() => decodeArrowDataset(bytes, 'm.arrow'));
      expect(m).toBe(`m.arrow: corrupted Arrow file: ${message}`);
      expect(foreignText(m)).toBeNull();
    });
  }

  it('a Parquet column chunk whose codec field is lost says it names no codec, not "a undefined page does not decompress"', async () => {
    // The fuzzer's case (fruit.parquet, seed 1, case 165): a field header in the footer moved, so the column chunk of
    // "ripe" has no codec and hyparquet's "parquet unsupported compression codec: undefined" reached the message.
    const bytes = Uint8Array.from(readFileSync(join(ROOT, 'test/fixtures/tabular/fruit.parquet')));
    bytes[2368] ^= 0x40;
    const file = join(tempDir(), 'm.parquet');
    writeFileSync(file, bytes);
    const m = await failure(() => datasetFromTableFile('parquet', file, { label: 'kind' }));
    expect(m).toBe(`${file}: damaged Parquet file: row group 0, column "ripe": the page at byte 1559: its column chunk names no compression codec that Parquet defines`);
    expect(foreignText(m)).toBeNull();
  });

  it('a truncated PNG (jimp\'s writer, and PIL\'s) says it is truncated, not "There are some read requests waitng on finished stream"', async () => {
    const img = new Jimp({ width: 28, height: 28, color: 0xffffffff });
    for (let y = 6; y < 22; y++) img.setPixelColor(0x000000ff, 14, y);
    const jimpPng = new Uint8Array(await img.getBuffer('image/png'));
    const pilPng = new Uint8Array(readFileSync(join(DIGITS, 'pen-3.png')));
    expect(await readImage(jimpPng)).toHaveLength(784); // the untouched file reads
    for (const png of [jimpPng, pilPng]) {
      const m = await failure(() => readImage(png.subarray(0, Math.floor(png.length / 2))));
      expect(m).toBe('image: cannot decode this PNG image: it is truncated (no IEND chunk at its end)');
    }
  });

  it('a PNG with a damaged chunk header says its data are corrupted, not "Could not find MIME for Buffer"', async () => {
    const png = Uint8Array.from(readFileSync(join(DIGITS, 'pen-3.png')));
    png[15] ^= 0x20; // IHDR → IHDr
    expect(await failure(() => readImage(png))).toBe('image: cannot decode this PNG image: its data are corrupted');
  });

  it('a truncated JPEG (PIL\'s writer) says it is truncated', async () => {
    const jpeg = new Uint8Array(readFileSync(join(DIGITS, 'chalk-7.jpg')));
    expect(await failure(() => readImage(jpeg.subarray(0, 1771)))).toBe('image: cannot decode this JPEG image: it is truncated (no end-of-image marker at its end)');
  });

  it('a file that is no image says so by its first bytes', async () => {
    expect(await failure(() => readImage(new Uint8Array([1, 2, 3])))).toBe('image: cannot read as an image: its first bytes are not those of a PNG, JPEG, GIF, BMP or TIFF file');
  });
});
