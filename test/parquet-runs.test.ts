import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from './helpers.ts';

/** A fixture with the int32 at `offset` set to `value`, converted as a user would: stderr and exit code. */
async function convertDamaged(fixture: string, offset: number, value: number, label: string) {
  const bytes = new Uint8Array(readFileSync(join(ROOT, 'test/fixtures/tabular', fixture)));
  new DataView(bytes.buffer).setInt32(offset, value, true);
  const file = join(tempDir(), 'damaged.parquet');
  writeFileSync(file, bytes);
  return { file, ...(await cli('data', ['convert', '--parquet', file, '--label', label, '--out', join(tempDir(), 'out.arrow')], { timeoutMs: 60_000 })) };
}

describe('run lengths inside Parquet pages', () => {
  // The fuzzer's case (iris-list.parquet, seed 3, case 566): the list column's repetition levels claim a run of
  // 2^31 - 1 values. hyparquet alone grows an array for it until V8 aborts the process (or the watchdog ends the
  // decoding thread after 10 s); checkPageRuns refuses it before hyparquet decodes the page. Run in a child process,
  // so that a regression aborts that process and not the test runner.
  it('refuses a repetition-level run longer than its page, in one line naming the column and the page (not the watchdog\'s message)', async () => {
    const r = await convertDamaged('iris-list.parquet', 52, 1, 'class');
    expect(r.stderr).toBe(`data: ${r.file}: damaged Parquet file: row group 0, column "measurements": the page at byte 48: the repetition levels have a run of 2147483647 values where 600 of 600 are left\n`);
    expect(r.code).toBe(1);
  });

  // Found by setting each int32 of fruit.parquet to 2^31 - 1 (the fuzzer's values): at byte 240 the end of the "id"
  // column's ZSTD page changes, and the page decodes to a 3-byte stream of definition levels that holds no level.
  // hyparquet reads runs past those 3 bytes, into the values, until it has 300 levels, and one of 1.8e9 grew its
  // array until V8 aborted; checkPageRuns stopped at the stream's bytes and saw nothing wrong.
  it('refuses definition levels whose runs continue past their stream\'s length, as hyparquet reads them', async () => {
    const r = await convertDamaged('fruit.parquet', 240, 0x7fffffff, 'kind');
    expect(r.stderr).toBe(`data: ${r.file}: damaged Parquet file: row group 0, column "id": the page at byte 42: the definition levels have a run of 1843115884 values where 300 of 300 are left\n`);
    expect(r.code).toBe(1);
  });
});
