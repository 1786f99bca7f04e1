// Names a `.net` file may not use, because they would not be valid or safe identifiers or
// object keys in emitted TypeScript. Everything else the lexer accepts ([A-Za-z_][A-Za-z0-9_]*)
// is a valid identifier, so validation here plus the lexer is the whole story.
const JS_RESERVED = `break case catch class const continue debugger default delete do else enum export extends
false finally for function if import in instanceof new null return super switch this throw true try typeof
var void while with yield let static implements interface package private protected public await`.split(/\s+/);

// Globals the emitted code relies on, and names that are dangerous as object keys.
const EMITTER_RESERVED = `undefined NaN Infinity eval arguments globalThis Math Float64Array Float32Array
Uint32Array Int32Array Array Object Error RangeError Number JSON prototype constructor createModel`.split(/\s+/);

const RESERVED = new Set([...JS_RESERVED, ...EMITTER_RESERVED]);

/** Why `name` cannot be used, or undefined when it can. */
export function reservedReason(name: string): string | undefined {
  if (name.startsWith("__")) return `'${name}' is reserved: names starting with '__' are reserved`;
  if (JS_RESERVED.includes(name)) return `'${name}' is a reserved word in TypeScript`;
  if (RESERVED.has(name)) return `'${name}' is reserved in emitted code`;
  return undefined;
}
