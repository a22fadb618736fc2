import { packageVersion } from '../util/package-version.js';

/** The compiler's version: the rlvrc package version. */
export const compilerVersion = packageVersion;
