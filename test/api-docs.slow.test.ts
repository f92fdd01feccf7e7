/**
 * The API reference (docs/api, `pnpm docs:api`) builds from the three packages' index.ts with no warning, every
 * exported symbol has a doc comment, and the committed pages are what the sources give now. TypeDoc builds the
 * packages' whole TypeScript program (tens of seconds on 2 cores), hence the slow project.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const TYPEDOC = join(ROOT, 'node_modules/.bin/typedoc');
const dir = mkdtempSync(join(tmpdir(), 'hogwild-api-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** TypeDoc with an options file (default the repository's typedoc.json) and `args` on top; its output without colours. */
function typedoc(args: string[], options = join(ROOT, 'typedoc.json')): { status: number | null; output: string } {
  const r = spawnSync(TYPEDOC, ['--options', options, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '') };
}

/** Every file under `root`, by its path relative to it, with its text. */
function tree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(root, p), readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return out;
}

describe('the API reference', () => {
  it('builds without warnings, and docs/api is up to date (else run pnpm docs:api)', () => {
    const out = join(dir, 'api');
    const r = typedoc(['--out', out]);
    expect(r.output).not.toMatch(/\[(warning|error)\]/);
    expect(r.status).toBe(0);
    const built = tree(out), committed = tree(join(ROOT, 'docs/api'));
    expect([...committed.keys()].sort()).toEqual([...built.keys()].sort());
    for (const [file, text] of built) expect(committed.get(file), `docs/api/${file} is stale: run pnpm docs:api`).toBe(text);
    // The pages name the calls a user starts from.
    expect(built.get('@hogwild/trainer.md')).toContain('### train()');
    expect(built.get('@hogwild/trainer.md')).toContain('### ArrayData');
  });

  it('fails on an exported symbol without a doc comment (the check is on, for our packages)', () => {
    // A package named like ours, with one documented and one undocumented export, through the same options (an
    // options file that extends the repository's: its tsconfig and entry points would win over flags).
    const pkg = join(dir, 'undocumented');
    mkdirSync(join(pkg, 'src'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@hogwild/core', version: '0.0.0', type: 'module' }));
    writeFileSync(join(pkg, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, module: 'NodeNext', target: 'ES2022' }, include: ['src'] }));
    writeFileSync(join(pkg, 'src/index.ts'), '/** Documented. */\nexport const documented = 1;\nexport function forgotten(): number {\n  return 2;\n}\n');
    writeFileSync(join(pkg, 'typedoc.json'), JSON.stringify({ extends: [join(ROOT, 'typedoc.json')], entryPoints: ['src/index.ts'], tsconfig: 'tsconfig.json' }));
    const r = typedoc(['--out', join(dir, 'undocumented-out')], join(pkg, 'typedoc.json'));
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/forgotten.*does not have any documentation/);
    expect(r.output).not.toMatch(/documented \(/);
  });
});
