#!/usr/bin/env node
import { createProgram } from './program.ts';
import { runCli } from '@hogwild/core/cli';

process.exitCode = await runCli(createProgram(), process.argv.slice(2));
