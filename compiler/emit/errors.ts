// Errors about emitted code (as opposed to the user's .net file, which gets diagnostics).

/** An emitted module that does not type-check: a bug in netc, not in the user's model. */
export class EmittedCodeError extends Error {
  constructor(readonly diagnostics: string[]) {
    super(`netc: internal error: the emitted module does not type-check under --strict (please report this):\n${diagnostics.join("\n")}`);
  }
}
