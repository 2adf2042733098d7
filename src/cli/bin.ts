#!/usr/bin/env node
// The `seqwasm` executable.
import { main } from './main.js';
import { Output } from './output.js';

process.exitCode = await main(process.argv.slice(2), Output.console());
