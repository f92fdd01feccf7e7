/**
 * pnpm bench:web: sizes of the exported page's scripts (bytes as esbuild bundles and minifies them for browsers, then
 * gzipped at gzip's default level 6 and at 9): infer.js is @hogwild/core/infer (the model's format, preprocessing,
 * forward pass and probabilities), page.js the pad and the form. The model file comes on top. A script, not a test
 * (test/web-export.test.ts holds the 30 KB bound).
 */
import { gzipSync } from 'node:zlib';
import { bundleWebScripts } from '../packages/trainer/src/web/bundle.ts';

const scripts = await bundleWebScripts();
const kb = (n: number): string => `${(n / 1000).toFixed(1)} KB`;
for (const name of ['infer.js', 'page.js'] as const) {
  const bytes = scripts[name];
  const inputs = Object.keys(scripts.metafiles[name].inputs);
  process.stdout.write(`${name.padEnd(9)} ${kb(bytes.length).padStart(8)} minified, ${kb(gzipSync(bytes).length)} gzipped (-9: ${kb(gzipSync(bytes, { level: 9 }).length)}), from ${inputs.length} files: ${inputs.join(' ')}\n`);
}
const both = gzipSync(scripts['infer.js']).length + gzipSync(scripts['page.js']).length;
process.stdout.write(`together ${kb(both)} gzipped (esbuild ${(await import('esbuild')).version}, platform browser, target es2022)\n`);
