#!/usr/bin/env node
import { runCli } from '@hogwild/core/cli';
import { createProgram } from './program.ts';

// From the sources (`pnpm trainer` in the workspace) the program is `trainer`, typed `pnpm trainer`; built and
// installed from npm it is the bin `hogwild-trainer`.
const program = import.meta.url.endsWith('.ts') ? createProgram() : createProgram('hogwild-trainer', 'hogwild-trainer');
process.exitCode = await runCli(program, process.argv.slice(2));
