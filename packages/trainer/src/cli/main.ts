#!/usr/bin/env node
import { runCli } from '@hogwild/core/cli';
import { createProgram } from './program.ts';

process.exitCode = await runCli(createProgram(), process.argv.slice(2));
