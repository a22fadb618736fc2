#!/usr/bin/env node
import { runCli } from './cli.js';

const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
const code = await runCli(process.argv.slice(2), {
  stdout: s => process.stdout.write(s),
  stderr: s => process.stderr.write(s),
  color,
});
process.exitCode = code;
