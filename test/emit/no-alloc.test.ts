// The hot functions of every generated module allocate nothing and loop over compile-time
// bounds (or the row count): checked on the TypeScript AST of the emitted text. Local helpers
// they call are checked the same way; only `throw` statements (the error path), and functions
// called only from them, may allocate — and newPredictions, predict's result for more rows than
// the compiled batch when the caller passes no `out` (documented).
import ts from "typescript";
import { describe, expect, it, vi } from "vitest";
import { ALL_OPS, BACKENDS, compileExample, compileSource, EXAMPLES, HOSTILE_NAMES, SEQUENCE_LAYERS } from "../support/helpers.js";

vi.setConfig({ testTimeout: 60_000 }); // compiling a model takes a while on a busy machine

// gelu's erf loops and concat's row copies must keep constant bounds too.
const EXTRA_OPS = `block pair(x, n) {
  a = gelu(dense(x, n))
  return a, elu(dense(x, n), 0.5)
}
model extra {
  input x[3]
  target y: class(4)
  h, c = pair(x, 4)
  g = concat(leaky_relu(h), softplus(c)) + swish(concat(c, h))
  q = sqrt(1 + square(g)) + abs(g) + pow(2 + tanh(g), 1.5) + max(g, 0.1) + min(g, clip(g, -1, 1))
  p = log_softmax(dense(q, 4))
  output p
  loss cross_entropy_logits(p, y) + huber(h, c) + mae(h, c, reduce: sum) + bce_logits(h, sigmoid(c)) + 0.01 * l2(h.a.W)
}`;

// Convolutions (padded, strided, both derivatives), both poolings and flatten; dense and
// layernorm over the positions of a sequence.
const IMAGE_OPS = `model images {
  input img[2, 7, 6]
  target y: class(3)
  h = relu(conv2d(img, 3, kernel: 3, stride: 2, padding: 1))
  a = flatten(maxpool2d(h, 2)) + flatten(avgpool2d(conv2d(img, 3, kernel: 2), 3))
  p = softmax(dense(a, 3))
  output p
  loss cross_entropy
}`;
// Kernels and windows beyond 11×11 loop over their taps, with checks at the padded border.
const LARGE_KERNEL_OPS = `model large {
  input img[1, 40, 40]
  target y[2]
  h = tanh(conv2d(img, 2, kernel: 12, stride: 2, padding: 3))
  p = dense(concat(flatten(conv2d(h, 2, kernel: 12, padding: 1)), flatten(maxpool2d(h, 16) + avgpool2d(h, 16))), 2)
  output p
  loss mse
}`;
const SEQUENCE_OPS = `model sequence {
  input s[4, 3]
  target y[2]
  param P[4, 3]
  h = layernorm(tanh(dense(s + P, 3)))
  p = dense(flatten(h), 2)
  output p
  loss mse
}`;


const HOT = ["trainStep", "predict", "predictRows", "loss", "evalLoss", "forwardBackward"];
/** Called from the hot functions, allowed to allocate: see the header. */
const ALLOCATES_BY_CONTRACT = new Set(["newPredictions"]);
const ALLOCATING_METHODS = new Set(["slice", "map", "subarray", "concat", "filter", "from", "of", "bind", "flat", "flatMap", "split", "join", "forEach", "reduce"]);
const ARITHMETIC = new Set([ts.SyntaxKind.PlusToken, ts.SyntaxKind.MinusToken, ts.SyntaxKind.AsteriskToken, ts.SyntaxKind.SlashToken, ts.SyntaxKind.PercentToken]);

/** Every function declaration in the module (top level and inside createModel), by name. */
function functionsOf(code: string): { file: ts.SourceFile; fns: Map<string, ts.FunctionDeclaration> } {
  const file = ts.createSourceFile("model.ts", code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const fns = new Map<string, ts.FunctionDeclaration>();
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionDeclaration(node) && node.name) fns.set(node.name.text, node);
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { file, fns };
}

/** Const declarations in the given scopes, added to `out`: name → initializers. */
function constsIn(scopes: (ts.Node | undefined)[], out = new Map<string, ts.Expression[]>()): Map<string, ts.Expression[]> {
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclarationList(node) && node.flags & ts.NodeFlags.Const) {
      for (const d of node.declarations) {
        if (ts.isIdentifier(d.name) && d.initializer) out.set(d.name.text, [...(out.get(d.name.text) ?? []), d.initializer]);
      }
    }
    ts.forEachChild(node, visit);
  };
  scopes.forEach((s) => s && visit(s));
  return out;
}

/** A loop bound made of numeric literals, the row count, and consts that are themselves bounds. */
function isStaticOrRows(e: ts.Expression, rows: string, consts: Map<string, ts.Expression[]>, seen = new Set<string>()): boolean {
  if (ts.isNumericLiteral(e)) return true;
  if (ts.isParenthesizedExpression(e)) return isStaticOrRows(e.expression, rows, consts, seen);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) return isStaticOrRows(e.operand, rows, consts, seen);
  if (ts.isBinaryExpression(e) && ARITHMETIC.has(e.operatorToken.kind)) {
    return isStaticOrRows(e.left, rows, consts, seen) && isStaticOrRows(e.right, rows, consts, seen);
  }
  if (ts.isIdentifier(e)) {
    if (e.text === rows) return true;
    const inits = consts.get(e.text);
    if (!inits || seen.has(e.text)) return false;
    return inits.every((init) => isStaticOrRows(init, rows, consts, new Set([...seen, e.text])));
  }
  return false;
}

/** Problems in one function body: allocations outside `throw`, and loops without a static bound. */
function findProblems(fn: ts.FunctionDeclaration, file: ts.SourceFile, checkLoops: boolean, outerConsts: Map<string, ts.Expression[]>): string[] {
  const problems: string[] = [];
  const where = (n: ts.Node) => `${fn.name!.text}:${file.getLineAndCharacterOfPosition(n.getStart()).line + 1}: ${n.getText().slice(0, 60)}`;
  const rows = fn.parameters[fn.parameters.length - 1]?.name.getText() ?? "n";
  // The function's own consts and createModel's (collected once per module: deep.net has
  // hundreds of functions in one createModel).
  const consts = constsIn([fn.body], new Map([...outerConsts].map(([k, v]) => [k, [...v]])));
  const visit = (node: ts.Node): void => {
    if (ts.isThrowStatement(node)) return; // allocating an error on the way out is fine
    if (ts.isNewExpression(node)) problems.push(`new: ${where(node)}`);
    else if (ts.isArrayLiteralExpression(node)) problems.push(`array literal: ${where(node)}`);
    else if (ts.isObjectLiteralExpression(node)) problems.push(`object literal: ${where(node)}`);
    else if (ts.isArrowFunction(node) || ts.isFunctionExpression(node) || (ts.isFunctionDeclaration(node) && node !== fn)) problems.push(`closure: ${where(node)}`);
    else if (ts.isSpreadElement(node) || ts.isSpreadAssignment(node)) problems.push(`spread: ${where(node)}`);
    else if (ts.isTemplateExpression(node) || ts.isRegularExpressionLiteral(node)) problems.push(`string building: ${where(node)}`);
    else if (ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node)) problems.push(`unbounded loop: ${where(node)}`);
    else if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && ALLOCATING_METHODS.has(node.expression.name.text)) {
      problems.push(`allocating call .${node.expression.name.text}(): ${where(node)}`);
    } else if (ts.isForStatement(node) && checkLoops) {
      const cond = node.condition;
      const ok = cond && ts.isBinaryExpression(cond) && [ts.SyntaxKind.LessThanToken, ts.SyntaxKind.LessThanEqualsToken].includes(cond.operatorToken.kind) &&
        isStaticOrRows(cond.right, rows, consts);
      if (!ok) problems.push(`loop bound is neither constant nor the row count '${rows}': ${where(node)}`);
    }
    ts.forEachChild(node, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return problems;
}

/** Checks the hot functions, and transitively every local function they call. */
function checkModule(code: string): { checked: string[]; problems: string[] } {
  const { file, fns } = functionsOf(code);
  const outerConsts = constsIn([fns.get("createModel")?.body]);
  const checked = new Set<string>();
  const problems: string[] = [];
  const queue = HOT.filter((name) => fns.has(name));
  for (const name of HOT) if (!fns.has(name)) problems.push(`missing function ${name}`);
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (checked.has(name) || ALLOCATES_BY_CONTRACT.has(name)) continue;
    checked.add(name);
    const fn = fns.get(name)!;
    problems.push(...findProblems(fn, file, HOT.includes(name), outerConsts));
    const calls = (node: ts.Node): void => {
      if (ts.isThrowStatement(node)) return; // what builds the error is on the error path too
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && fns.has(node.expression.text)) queue.push(node.expression.text);
      ts.forEachChild(node, calls);
    };
    calls(fn);
  }
  return { checked: [...checked].sort(), problems };
}


// The wasm backend adds the same code to every model (input copies, kernel calls): the small
// examples and the op-heavy models below cover it; the 20-layer and CartPole ones only cost time.
const WASM_EXAMPLES = EXAMPLES.filter((name) => !["deep", "cartpole"].includes(name));

describe.each(BACKENDS)("trainStep, predict, loss and forwardBackward allocate nothing (%s)", (backend) => {
  it.each(backend === "js" ? EXAMPLES : WASM_EXAMPLES)("%s.net", async (name) => {
    const { result } = await compileExample(name, { backend, format: false });
    const { checked, problems } = checkModule(result.code);
    expect(problems).toEqual([]);
    expect(checked).toEqual(expect.arrayContaining(HOT));
  });

  it.each([
    ["a model using every op, both cross-entropy kernels and momentum", ALL_OPS],
    ["a model whose names are the emitter's own (n, predict, step, ...)", HOSTILE_NAMES],
    ["a model using the activations, elementwise ops, concat and losses of issue 5", EXTRA_OPS],
    ["an image model: conv2d, pooling, flatten", IMAGE_OPS],
    ["a sequence model: dense and layernorm on [T,d]", SEQUENCE_OPS],
    ["large kernels and pooling windows", LARGE_KERNEL_OPS],
    ["a token model: embedding, lstm, rnn, gru, last, mean over positions, attention (causal or not), a class per position", SEQUENCE_LAYERS],
  ])("%s", async (_, src) => {
    const { result } = await compileSource(src, { backend, format: false });
    expect(checkModule(result.code).problems).toEqual([]);
  });

  it("the checker itself finds allocations, closures and dynamic loop bounds", () => {
    const code = `export function createModel() {
  const width = 4;
  function predict(x: Float64Array, n: number): Float64Array {
    const a = new Float64Array(3);
    const b = [1, 2];
    const c = { k: 1 };
    const f = () => 1;
    const d = x.slice(0, 2);
    const e = [...b];
    for (let i = 0; i < x.length; i++) {}
    for (let i = 0; i < n * width; i++) {}
    for (const v of b) {}
    return x.subarray(0, n);
  }
  function predictRows(x: Float64Array, n: number): Float64Array { return newPredictions(n); }
  function newPredictions(n: number): Float64Array { return new Float64Array(n); }
  function loss(x: Float64Array, y: Float64Array, n: number): number { helper(); return evalLoss(x, y, n); }
  function evalLoss(x: Float64Array, y: Float64Array, n: number): number { return 0; }
  function forwardBackward(x: Float64Array, y: Float64Array, n: number): number { return 0; }
  function trainStep(x: Float64Array, y: Float64Array, n: number): number { if (n < 0) throw new Error(message(n)); return 0; }
  function helper(): void { const z = new Array(3); }
  function message(n: number): string { return \`bad \${[n].join()}\`; }
}`;
    const { problems } = checkModule(code);
    const kinds = problems.map((p) => p.split(":")[0]);
    expect(kinds).toEqual([
      "new", "array literal", "object literal", "closure", "allocating call .slice()", "array literal", "spread",
      "loop bound is neither constant nor the row count 'n'", "unbounded loop", "allocating call .subarray()", "new",
    ]);
    expect(problems.at(-1)).toContain("helper");
    expect(problems.join("\n")).not.toContain("n * width"); // a const times the row count is a valid bound
  });
});
