// Every command's operands and flags, with their help: one table that parses the arguments and
// prints `netc COMMAND --help` and the usage lines. It imports nothing heavy, so `--help` and a
// usage error answer at once; the commands themselves are loaded only when run.
import type { CommandSpec, FlagDef } from "./args.js";

const MODEL: FlagDef = { name: "model", value: "NAME", help: "the model to use when the file defines several" };
const FORCE: FlagDef = { name: "force", help: "replace an output file even if netc did not write it" };
const FEATURES: FlagDef = { name: "features", value: "A,B,...", help: "the input columns, by name and in this order (default: every column but the target's)" };
const IGNORE: FlagDef = { name: "ignore", value: "A,B,...", help: "columns to leave out (an ID column, say)" };
const BACKEND: FlagDef = { name: "backend", value: "js|wasm|auto", help: "where the kernels run: JavaScript, wasm SIMD, or auto (wasm from 4096 weights in matrix products; the default)" };
const PRECISION: FlagDef = { name: "precision", value: "f64|f32", help: "element type of every array of the module (default: the train block's precision, else f64)" };
const TARGET: FlagDef = { name: "target", value: "NAME[,NAME]", help: "the target column(s), by name (default: the last columns)" };

export const COMPILE: CommandSpec = {
  name: "compile",
  operands: "FILE.net",
  summary: "Compile a .net model to a TypeScript training module (printed on stdout without -o).",
  flags: [
    { name: "out", alias: "o", value: "OUT.ts|OUT.js", help: "write the module to this file (a .js or .mjs name gets JavaScript)" },
    { name: "js", help: "JavaScript instead of TypeScript" },
    MODEL,
    { name: "max-batch", value: "N", help: "size the buffers for batches of up to N rows (default: the train block's batch); predict and loss take more rows in chunks" },
    { name: "dump", value: "ast|ir|grad", help: "print the syntax tree, the forward IR or the backward IR instead" },
    { name: "stats", help: "print the model's size and memory use" },
    { name: "verify", help: "check the IR's invariants after every compiler pass" },
    BACKEND,
    PRECISION,
    FORCE,
  ],
};

export const CHECK: CommandSpec = {
  name: "check",
  operands: "FILE.net",
  summary: "Report every error in a .net file; exit 1 if there is one.",
  flags: [],
};

export const TRAIN: CommandSpec = {
  name: "train",
  operands: "MODEL.net",
  summary: "Train a model on a CSV file or a bundled data set; write the trainer, the weights, a standalone predictor and the loss curve.",
  flags: [
    { name: "data", value: "CSV|iris|digits|lecture|xor|spirals|moons|parity|sorting", required: true, help: "a CSV file with a header row, or a bundled data set" },
    { name: "epochs", value: "N", help: "override the train block's epochs (an integer >= 1)" },
    { name: "batch", value: "N", help: "override the train block's batch (an integer >= 1)" },
    { name: "lr", value: "X", help: "override the optimizer's learning rate (a positive number)" },
    { name: "seed", value: "N", help: "override the train block's seed (an integer >= 0)" },
    { name: "val", value: "F", help: "fraction of rows held out for validation (default 0.2, or 0 below 20 rows)" },
    TARGET,
    FEATURES,
    IGNORE,
    { name: "normalize", help: "standardize each feature (mean and std of the training split, saved with the weights)" },
    { name: "out", alias: "o", value: "DIR", help: "the directory to write into (default out)" },
    { name: "resume", value: "WEIGHTS.json", help: "continue a saved run from these weights, optimizer state and epoch" },
    { name: "reset-optimizer", help: "with --resume: keep the weights but start the optimizer's state afresh" },
    { name: "patience", value: "N", help: "stop early after N epochs without a better validation (or training) loss" },
    { name: "restore-best", help: "end with the best epoch's weights instead of the last epoch's" },
    { name: "checkpoint-every", value: "N|Ns|Nm|off", help: "save MODEL.last.weights.json and MODEL.best.weights.json every N epochs or seconds/minutes (default 60s)" },
    BACKEND,
    PRECISION,
    MODEL,
    FORCE,
  ],
};

export const PREDICT: CommandSpec = {
  name: "predict",
  operands: "MODEL.net",
  summary: "Print predictions for a CSV file as CSV, using trained weights; with a target column, also the accuracy or the regression errors on stderr.",
  flags: [
    { name: "weights", value: "WEIGHTS.json", required: true, help: "the weights file netc train wrote" },
    { name: "data", value: "CSV", required: true, help: "the rows to predict (a CSV file or a bundled data set)" },
    TARGET,
    FEATURES,
    IGNORE,
    MODEL,
  ],
};

export const PREDICTOR: CommandSpec = {
  name: "predictor",
  operands: "MODEL.net",
  summary: "Write a standalone predictor (one file, no imports) with the weights baked in; printed on stdout without -o.",
  flags: [
    { name: "weights", value: "WEIGHTS.json", required: true, help: "the weights file netc train wrote" },
    { name: "out", alias: "o", value: "FILE", help: "write the predictor here; FILE.js or FILE.mjs gets JavaScript, FILE.ts TypeScript" },
    { name: "js", help: "JavaScript instead of TypeScript" },
    BACKEND,
    PRECISION,
    MODEL,
    FORCE,
  ],
};

export const EXPLAIN: CommandSpec = {
  name: "explain",
  operands: "MODEL.net",
  summary: "Show which input features drive one row's prediction: gradient or integrated-gradient attributions, as ranked text, JSON, or a bar chart labelled with the data's column names.",
  flags: [
    { name: "weights", value: "WEIGHTS.json", required: true, help: "the weights file netc train wrote" },
    { name: "data", value: "CSV", required: true, help: "the rows to explain (a CSV file or a bundled data set); a target column may be present" },
    { name: "row", value: "K", help: "the data row to explain, counted from 0 after the header (default 0)" },
    { name: "class", value: "C", help: "the class (index or label) or output index to explain (default: the predicted class, or the only output)" },
    { name: "method", value: "gradient|integrated", help: "plain saliency (the default) or integrated gradients from a zero baseline" },
    { name: "steps", value: "N", help: "integrated gradients: Riemann steps along the path (default 32)" },
    { name: "out", alias: "o", value: "FILE.svg", help: "also draw the attributions as a ranked bar chart" },
    { name: "json", help: "print {row, class, method, features, saliency} as JSON instead of the ranked text" },
    TARGET,
    FEATURES,
    IGNORE,
    MODEL,
    FORCE,
  ],
};

export const TUNE: CommandSpec = {
  name: "tune",
  operands: "MODEL.net",
  summary: "Search the model's tune block: seeded random configurations, trained in parallel with successive halving (the weakest 2/3 stop at each rung); write the results table, a plot, the best model as a .net and its weights.",
  flags: [
    { name: "data", value: "CSV|iris|digits|lecture|xor|spirals|moons|parity|sorting", required: true, help: "a CSV file with a header row, or a bundled data set" },
    { name: "trials", value: "N", help: "configurations to try (default: the tune block's trials, else 20)" },
    { name: "parallel", value: "P", help: "worker threads training trials at once (default: the number of cores; 1 trains in this thread)" },
    { name: "seed", value: "S", help: "seed of the configurations drawn (default: the train block's seed); the same seed gives the same table" },
    { name: "val", value: "F", help: "fraction of rows held out to score the trials (default 0.2)" },
    { name: "out", alias: "o", value: "DIR", help: "the directory to write into (default out)" },
    TARGET,
    FEATURES,
    IGNORE,
    { name: "normalize", help: "standardize each feature (mean and std of the training split, saved with the best weights)" },
    BACKEND,
    PRECISION,
    MODEL,
    FORCE,
  ],
};

export const GRAPH: CommandSpec = {
  name: "graph",
  operands: "MODEL.net",
  summary: "Draw the model's graph (forward, or with --backward the gradients too) as SVG or DOT (printed on stdout without -o).",
  flags: [
    { name: "out", alias: "o", value: "FILE.svg", help: "write the picture to this file" },
    { name: "backward", help: "add the backward graph" },
    { name: "detail", value: "layers|ops", help: "one node per statement (layers, the default) or per compiler op" },
    { name: "dot", help: "the Graphviz DOT text instead of SVG" },
    MODEL,
    FORCE,
  ],
};

export const EXPORT: CommandSpec = {
  name: "export",
  operands: "MODEL.net",
  summary: "Write the model for other runtimes: ONNX (inference, float32) or a PyTorch module with its optimizer and training loop.",
  flags: [
    { name: "format", value: "onnx|torch", required: true, help: "the format to write" },
    { name: "weights", value: "WEIGHTS.json", help: "trained weights to include (required for onnx)" },
    { name: "out", alias: "o", value: "OUT", help: "the file to write (default MODEL.onnx or MODEL.py)" },
    MODEL,
    FORCE,
  ],
};

export const LSP: CommandSpec = {
  name: "lsp",
  operands: "",
  summary: "Language server for editors over stdio: diagnostics, hover, go to definition, completion.",
  flags: [{ name: "stdio", help: "talk over stdin and stdout (the default and only transport)" }],
};

export const COMMAND_SPECS = [COMPILE, CHECK, TRAIN, PREDICT, PREDICTOR, EXPLAIN, TUNE, GRAPH, EXPORT, LSP];
