import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { cacheLocation } from './internal.ts';
import { ROOT, tempDir } from './helpers.ts';

/**
 * cacheLocation() as a process started in `cwd` with `env` sees it (the working folder is the point): this test
 * file's process, moved there and given those variables for the call (a process of its own took a second of CPU).
 */
function locationIn(cwd: string, env: Record<string, string>): { dir: string; from: string } {
  const here = process.cwd();
  for (const [name, value] of Object.entries({ HOGWILD_CACHE: '', XDG_CACHE_HOME: '', ...env })) vi.stubEnv(name, value);
  try {
    process.chdir(cwd);
    return cacheLocation();
  } finally {
    process.chdir(here);
    vi.unstubAllEnvs();
  }
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
