// Regenerates docs/fields.md from the checker's schemas.
import { writeFileSync } from 'node:fs';
import { fieldReference } from '../src/checker/reference.js';
writeFileSync(new URL('../docs/fields.md', import.meta.url), fieldReference());
