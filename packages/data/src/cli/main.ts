#!/usr/bin/env node
import { createProgram } from './program.ts';
import { runCli } from '@hogwild/core/cli';

// From the sources (`pnpm data` in the workspace) the program is `data`, typed `pnpm data`; built and installed from
// npm it is the bin `hogwild-data`.
const program = import.meta.url.endsWith('.ts') ? createProgram() : createProgram('hogwild-data', 'hogwild-data');
process.exitCode = await runCli(program, process.argv.slice(2));
