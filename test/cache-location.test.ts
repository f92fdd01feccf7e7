import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from './helpers.ts';

const MNIST = pathToFileURL(join(ROOT, 'packages/data/src/mnist.ts')).href;
const TSX = pathToFileURL(createRequire(join(ROOT, 'packages/trainer/package.json')).resolve('tsx')).href;

/** cacheLocation() as a process started in `cwd` with `env` sees it (the working folder is the point). */
function locationIn(cwd: string, env: Record<string, string>): { dir: string; from: string } {
  const r = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', `const m = await import(${JSON.stringify(MNIST)}); console.log(JSON.stringify(m.cacheLocation()));`], {
    cwd, encoding: 'utf8', env: { ...process.env, HOGWILD_CACHE: '', XDG_CACHE_HOME: '', ...env },
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe('the MNIST cache folder', () => {
  const root = tempDir();
  const project = join(root, 'app');
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  mkdirSync(join(project, 'src', 'deep'), { recursive: true });
  writeFileSync(join(project, 'package.json'), '{}');
  const bare = join(root, 'no-install');
  mkdirSync(bare);
  writeFileSync(join(bare, 'package.json'), '{}');

  it('is $HOGWILD_CACHE when set (relative to the working folder)', () => {
    expect(locationIn(project, { HOGWILD_CACHE: 'here' })).toEqual({ dir: join(project, 'here'), from: 'env' });
  });

  it('else node_modules/.cache/hogwild of the nearest project above the working folder', () => {
    expect(locationIn(join(project, 'src', 'deep'), {})).toEqual({ dir: join(project, 'node_modules', '.cache', 'hogwild'), from: 'project' });
    expect(locationIn(ROOT, {})).toEqual({ dir: join(ROOT, 'node_modules', '.cache', 'hogwild'), from: 'project' });
  });

  it('else the user\'s cache folder: $XDG_CACHE_HOME/hogwild, or ~/.cache/hogwild when it is unset or relative', () => {
    // A package.json without node_modules/ is not an installed project.
    expect(locationIn(bare, { XDG_CACHE_HOME: join(root, 'xdg') })).toEqual({ dir: join(root, 'xdg', 'hogwild'), from: 'user' });
    expect(locationIn(bare, { XDG_CACHE_HOME: 'relative', HOME: join(root, 'home') })).toEqual({ dir: join(root, 'home', '.cache', 'hogwild'), from: 'user' });
  });
});
