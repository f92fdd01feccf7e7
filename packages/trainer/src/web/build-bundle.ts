/**
 * `pnpm build` (after tsc): `tsx src/web/build-bundle.ts DIR` writes the page's scripts into DIR (dist/web/static), for
 * installed packages, which have no esbuild. Run from the sources: the workspace's @hogwild/core is TypeScript.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { TrainerError } from '../errors.ts';
import { bundleWebScripts } from './bundle.ts';

const dir = process.argv[2];
if (!dir) throw new TrainerError('E_USAGE', 'usage: tsx src/web/build-bundle.ts DIR');
mkdirSync(dir, { recursive: true });
const scripts = await bundleWebScripts();
for (const name of ['infer.js', 'page.js'] as const) {
  writeFileSync(join(dir, name), scripts[name]);
  process.stdout.write(`@hogwild/trainer: ${join(dir, name)} ${(scripts[name].length / 1000).toFixed(1)} KB (${(gzipSync(scripts[name]).length / 1000).toFixed(1)} KB gzipped)\n`);
}
