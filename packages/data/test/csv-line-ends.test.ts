import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRecords, datasetFromTableFile } from '../src/internal.ts';
import { createProgram } from '../src/cli/program.ts';
import { fixture, runProgram, tempDir } from './helpers.ts';

// lines-*.csv come from Python's csv module (make-line-endings.py): one file per line end, and one joined from all three.
const FILES = ['lines-crlf.csv', 'lines-lf.csv', 'lines-cr.csv', 'lines-mixed.csv'];

async function records(file: string): Promise<string[][]> {
  const out: string[][] = [];
  for await (const r of csvRecords(file)) out.push(r);
  return out;
}

describe('CSV line ends', () => {
  it('reads rows ended by CRLF, LF, CR, and all three in one file, as Python\'s csv module reads them', async () => {
    const python = 'import csv, json, sys; print(json.dumps(list(csv.reader(open(sys.argv[1], newline="")))))';
    for (const name of FILES) {
      const want = JSON.parse(execFileSync('python3', ['-c', python, fixture(name)], { encoding: 'utf8' }));
      expect(want, name).toHaveLength(7);
      expect(await records(fixture(name)), name).toEqual(want);
    }
  });

  it('keeps a quoted field with a CRLF, an LF or a CR inside as one field', async () => {
    const notes = (await records(fixture('lines-mixed.csv'))).map((r) => r[1]);
    expect(notes.slice(2, 5)).toEqual(['two\r\nlines', 'unix\nnewline', 'old mac\rreturn']);
  });

  it('converts the same dataset whatever the line ends', async () => {
    const [first, ...rest] = await Promise.all(FILES.map((f) => datasetFromTableFile('csv', fixture(f), { label: 'label', features: ['x'] })));
    expect(first.dataset.rows).toBe(6);
    for (const r of rest) {
      expect(r.dataset.features).toEqual(first.dataset.features);
      expect(r.dataset.labels).toEqual(first.dataset.labels);
    }
  });

  it('converts a CRLF file with one LF-ended row to its 4 rows (issue 28)', async () => {
    const dir = tempDir();
    const f = join(dir, 'mixed.csv');
    writeFileSync(f, 'a,b,label\r\n1,2,0\r\n3,4,1\n5,6,0\r\n7,8,1\r\n');
    const r = await runProgram(createProgram(), ['convert', '--csv', f, '--label', 'label', '--out', join(dir, 'm.arrow')]);
    expect(r.stderr).not.toMatch(/field/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: 4 rows, features float32\[2\]/);
  });
});
