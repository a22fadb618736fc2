// Regenerates src/language/cst.d.ts from the parser's grammar (a test fails when it is stale).
import { writeFileSync } from 'node:fs';
import { cstDtsText } from '../src/language/cst-dts.js';
writeFileSync(new URL('../src/language/cst.d.ts', import.meta.url), cstDtsText());
