#!/usr/bin/env node
// The CLI is compiled from cli/ into dist/ by `npm run build:cli` (run by `npm install`).
import { main } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
