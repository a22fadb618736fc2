#!/usr/bin/env node
import { runCli } from './cli.js';

// `rlvrc check --cells | head` closes our stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const color = Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;
const code = await runCli(process.argv.slice(2), {
  stdout: s => process.stdout.write(s),
  stderr: s => process.stderr.write(s),
  color,
});
process.exitCode = code;
