import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, cli, tempDir } from './helpers.ts';

describe('run lengths inside Parquet pages', () => {
  // The fuzzer's case (iris-list.parquet, seed 3, case 566): the list column's repetition levels claim a run of
  // 2^31 - 1 values. hyparquet alone grows an array for it until V8 aborts the process (or the watchdog ends the
  // decoding thread after 10 s); checkPageRuns refuses it before hyparquet decodes the page. Run in a child process,
  // so that a regression aborts that process and not the test runner.
  it('refuses a repetition-level run longer than its page, in one line naming the column and the page (not the watchdog\'s message)', async () => {
    const bytes = new Uint8Array(readFileSync(join(ROOT, 'test/fixtures/tabular/iris-list.parquet')));
    new DataView(bytes.buffer).setInt32(52, 1, true);
    const file = join(tempDir(), 'damaged.parquet');
    writeFileSync(file, bytes);
    const r = await cli('data', ['convert', '--parquet', file, '--label', 'class', '--out', join(tempDir(), 'out.arrow')], { timeoutMs: 60_000 });
    expect(r.stderr).toBe(`data: ${file}: damaged Parquet file: row group 0, column "measurements": the page at byte 48: the repetition levels have a run of 2147483647 values where 600 of 600 are left\n`);
    expect(r.code).toBe(1);
  });
});
