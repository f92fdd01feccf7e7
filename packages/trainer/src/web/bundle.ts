/**
 * The two scripts of the exported page, bundled by esbuild for browsers: infer.js (core's `@hogwild/core/infer`, the
 * inference `trainer predict` runs) and page.js (the pad or the form, importing ./infer.js). An installed package has
 * no esbuild, so `pnpm build` writes them into dist/web/static (build-bundle.ts); run from the sources, as in the
 * workspace, they are bundled when asked, so the page never lags the code it shares with predict.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Metafile, Plugin } from 'esbuild';
import { TrainerError } from '../errors.ts';

export interface WebScripts {
  readonly 'infer.js': Uint8Array;
  readonly 'page.js': Uint8Array;
}

/** The import the page makes of core's inference, which page.js leaves to ./infer.js beside it. */
export const INFER_MODULE = '@hogwild/core/infer';

const FROM_SOURCES = import.meta.url.endsWith('.ts');
const STATIC = new URL('./static/', import.meta.url);
const PACKAGE_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** For browsers (platform browser: a Node API in the import graph fails the build), one ES module each, minified. */
export const BROWSER_BUILD: BuildOptions = {
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', minify: true, legalComments: 'none', charset: 'utf8',
  write: false, metafile: true, logLevel: 'silent', absWorkingDir: PACKAGE_ROOT,
};

/** Page.js imports core's inference from ./infer.js, so that the model's code is in one file, shared by any page. */
const inferBeside: Plugin = {
  name: 'infer-beside',
  setup(b) {
    b.onResolve({ filter: /^@hogwild\/core\/infer$/ }, () => ({ path: './infer.js', external: true }));
  },
};

/** Bundles both scripts with esbuild (a devDependency: the workspace and `pnpm build` have it), with esbuild's metafiles. */
export async function bundleWebScripts(): Promise<WebScripts & { metafiles: { 'infer.js': Metafile; 'page.js': Metafile } }> {
  const { build } = await import('esbuild');
  const page = fileURLToPath(new URL(FROM_SOURCES ? './page.ts' : './page.js', import.meta.url));
  const [infer, ui] = await Promise.all([
    build({ ...BROWSER_BUILD, entryPoints: [INFER_MODULE] }),
    build({ ...BROWSER_BUILD, entryPoints: [page], plugins: [inferBeside] }),
  ]);
  return {
    'infer.js': infer.outputFiles![0].contents,
    'page.js': ui.outputFiles![0].contents,
    metafiles: { 'infer.js': infer.metafile!, 'page.js': ui.metafile! },
  };
}

/** The page's scripts: bundled now from the sources, or as `pnpm build` wrote them for an installed package. */
export async function webScripts(): Promise<WebScripts> {
  if (FROM_SOURCES) return bundleWebScripts();
  const files = ['infer.js', 'page.js'] as const;
  const missing = files.filter((f) => !existsSync(new URL(f, STATIC)));
  if (missing.length > 0) {
    throw new TrainerError('E_INPUT', `${fileURLToPath(STATIC)}: ${missing.join(' and ')} missing from this installation of @hogwild/trainer (\`pnpm build\` writes them)`);
  }
  return { 'infer.js': readFileSync(new URL('infer.js', STATIC)), 'page.js': readFileSync(new URL('page.js', STATIC)) };
}
