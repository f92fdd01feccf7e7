#!/usr/bin/env node
import { runCli } from '@hogwild/data/cli';
import { createProgram } from './program.ts';

process.exitCode = await runCli(createProgram(), process.argv.slice(2));
