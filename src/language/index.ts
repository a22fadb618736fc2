export { parse, type ParseResult } from './parse.js';
export { format } from './format.js';
export type * from './ast.js';
export { KEYWORDS, DECLARATION_KINDS, type DeclarationKind } from './tokens.js';
