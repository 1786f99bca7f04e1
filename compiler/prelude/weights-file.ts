// A trainer loads `MODEL.weights.json` (as netc train writes it, parsed with JSON.parse) in one
// call: its tensors, class labels, input standardization and training state. Everything is
// checked against the model first — format, model, tensor names and shapes, values — and an
// error names what does not fit and changes nothing. The file's own consistency rules are those
// of data/weights-format.ts; this is the same check for code that has only the generated module.
import type { ModelInfo, Normalization, TrainingState, WeightsFileJson } from "./api.js";
import type { ModelCore } from "./core.js";
import { decodeFloat64 } from "./decode.js";
import { describeValue } from "./inputs.js";
import { restoreState } from "./training.js";
import { stageWeights } from "./weights.js";

/** What loading a weights file sets besides the weights. */
export interface LoadedFile {
  labels: string[] | null;
  normalization: Normalization | null;
}

export function loadWeightsFile(
  core: ModelCore,
  file: WeightsFileJson,
  options: { state?: boolean } = {},
): LoadedFile {
  const fail = (what: string): never => {
    throw new Error(`loadWeightsFile: ${what}`);
  };
  const info = core.info;
  if (typeof file !== "object" || file === null || Array.isArray(file))
    fail(`expected the parsed weights file (JSON.parse of MODEL.weights.json), got ${describeValue(file)}`);
  if (file.format !== "netc-weights") fail(`not a netc weights file (expected "format": "netc-weights")`);
  const version = file.version;
  if (version !== 1 && version !== 2)
    fail(
      `weights format version ${JSON.stringify(version)} is not supported; this module reads versions 1 and 2`,
    );
  if (version === 2 && file.encoding !== "base64 float64 little-endian")
    fail(`"encoding" must be "base64 float64 little-endian"`);
  if (file.model !== info.name)
    fail(`the weights are for model ${JSON.stringify(file.model)}, not model ${info.name}`);
  checkFileInterface(file.structure, info, fail);

  if (!Array.isArray(file.tensors)) fail(`"tensors" must be a list`);
  const given: Record<string, { shape: number[]; data: Float64Array }> = {};
  file.tensors.forEach((t, i) => {
    const name = t?.name;
    if (typeof name !== "string" || !Array.isArray(t.shape)) fail(`tensor ${i + 1} needs a name and a shape`);
    if (Object.prototype.hasOwnProperty.call(given, name))
      fail(`tensor '${name}' appears twice in "tensors"`);
    given[name] = {
      shape: t.shape,
      data: fileTensorValues(version === 1 ? t.values : t.data, version, `tensor '${name}'`, fail),
    };
  });
  for (const t of core.tensors) {
    const g = given[t.name];
    if (!g) fail(`tensor '${t.name}' [${t.shape.join(", ")}] of model ${info.name} is missing from the file`);
    else if (g.shape.length !== t.shape.length || g.shape.some((d, k) => d !== t.shape[k]))
      fail(
        `tensor '${t.name}' has shape [${g.shape.join(", ")}] in the file but [${t.shape.join(", ")}] in model ${info.name}`,
      );
  }
  for (const name of Object.keys(given))
    if (!core.tensors.some((t) => t.name === name))
      fail(`tensor '${name}' in the file is not a tensor of model ${info.name}`);
  const updates = stageWeights("loadWeightsFile", core.tensors, given);

  const labels = fileLabels(file.labels, info, fail);
  const normalization = fileNormalization(file.normalization, info.input.width, fail);
  if (options.state !== false && file.state !== undefined && file.state !== null) {
    // Last of the checks, because restoreState writes once its own checks pass.
    try {
      restoreState(
        fileState(file.state, version, fail),
        core.progress,
        core.shuffleRng,
        core.dropoutRng,
        core.optimizerBuffers,
      );
    } catch (err) {
      fail(
        `the file's training state does not fit this model (${(err as Error).message}); pass { state: false } to load the rest`,
      );
    }
  }
  for (const [dst, src] of updates) dst.set(src);
  const scaling = core.rowChunks.scaling;
  scaling.on = normalization !== null;
  if (normalization) {
    scaling.mean.set(normalization.mean);
    scaling.std.set(normalization.std);
  }
  return { labels, normalization };
}

/** The input, output and target the file was trained for, when it says. */
function checkFileInterface(structure: unknown, info: ModelInfo, fail: (what: string) => never): void {
  if (structure === undefined) return;
  const s = structure as Partial<
    Record<"input" | "output" | "target", { name?: unknown; width?: unknown; classes?: unknown }>
  >;
  if (typeof s !== "object" || s === null) fail(`"structure" must be an object`);
  for (const k of ["input", "output", "target"] as const) {
    const got = s[k];
    const want = info[k];
    if (!got || got.name !== want.name || got.width !== want.width)
      fail(
        `${k} is ${got ? `${String(got.name)}[${String(got.width)}]` : "missing"} in the file but ${want.name}[${want.width}] in model ${info.name}`,
      );
  }
  if ((s.target!.classes ?? null) !== info.target.classes)
    fail(
      `the target has ${String(s.target!.classes ?? "no")} classes in the file but ${info.target.classes ?? "no"} in model ${info.name}`,
    );
}

/** A tensor's values: base64 of little-endian float64 bytes (version 2) or a list of numbers (version 1). */
function fileTensorValues(
  raw: unknown,
  version: number,
  what: string,
  fail: (what: string) => never,
): Float64Array {
  if (version === 1) {
    if (!Array.isArray(raw)) return fail(`${what} needs "values", a list of numbers`);
    const out = new Float64Array(raw.length);
    raw.forEach((v, i) => {
      if (typeof v !== "number") fail(`${what} value ${i} is ${describeValue(v)}, not a number`);
      out[i] = v;
    });
    return out;
  }
  if (typeof raw !== "string" || !isBase64Text(raw))
    return fail(`${what} "data" must be base64 of float64 values`);
  const padding = raw.endsWith("==") ? 2 : raw.endsWith("=") ? 1 : 0;
  const bytes = (raw.length / 4) * 3 - padding;
  if (bytes % 8 !== 0) fail(`${what} "data" holds ${bytes} bytes, not a whole number of float64 values`);
  return decodeFloat64(raw);
}

function isBase64Text(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  let end = text.length;
  while (end > 0 && end > text.length - 2 && text.charCodeAt(end - 1) === 61) end--; // "="
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const ok = (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
    if (!ok) return false;
  }
  return true;
}

/** How many class names a label list must hold: class(K) targets, a 0.5 threshold (2), or one per output. */
function labelCount(info: ModelInfo): number | null {
  if (info.target.classes !== null) return info.target.classes;
  return info.classifier === "threshold" ? 2 : info.classifier === "argmax" ? info.output.width : null;
}

function fileLabels(raw: unknown, info: ModelInfo, fail: (what: string) => never): string[] | null {
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw) || !raw.every((l) => typeof l === "string"))
    return fail(`"labels" must be null or a list of strings`);
  const twice = raw.find((l, i) => raw.indexOf(l) !== i);
  if (twice !== undefined) fail(`class label ${JSON.stringify(twice)} appears twice in "labels"`);
  const classes = labelCount(info);
  if (raw.length !== classes)
    fail(
      `${raw.length} class labels, but model ${info.name} ${classes === null ? "is not a classifier" : `has ${classes} classes`}`,
    );
  return [...(raw as string[])];
}

function fileNormalization(raw: unknown, width: number, fail: (what: string) => never): Normalization | null {
  if (raw === undefined || raw === null) return null;
  const n = raw as Partial<Normalization>;
  const ok = (a: unknown, positive: boolean): a is number[] =>
    Array.isArray(a) &&
    a.length === width &&
    a.every((v) => typeof v === "number" && Number.isFinite(v) && (!positive || v > 0));
  if (typeof n !== "object" || !ok(n.mean, false) || !ok(n.std, true))
    fail(`"normalization" must hold "mean" and "std", ${width} finite numbers each (std positive)`);
  return { mean: [...n.mean!], std: [...n.std!] };
}

/** The file's training state as setState takes it (optimizer buffers by name, as lists of numbers). */
function fileState(raw: unknown, version: number, fail: (what: string) => never): TrainingState {
  const s = raw as Record<string, unknown>;
  if (typeof s !== "object" || Array.isArray(s)) fail(`"state" must be null or an object`);
  // Version 1 kept buffers as { "h1.W/m": [numbers] }; version 2 as [{ name, data }].
  const list =
    version === 1 && typeof s.buffers === "object" && s.buffers !== null && !Array.isArray(s.buffers)
      ? Object.entries(s.buffers).map(([name, v]) => ({ name, values: v }))
      : s.buffers;
  if (!Array.isArray(list)) return fail(`"state" needs "buffers", a list of optimizer buffers`);
  const buffers: Record<string, number[]> = {};
  list.forEach((b: { name?: unknown; data?: unknown; values?: unknown }, i) => {
    if (typeof b?.name !== "string") fail(`optimizer buffer ${i + 1} in "state" needs a name`);
    const name = b.name as string;
    if (Object.prototype.hasOwnProperty.call(buffers, name))
      fail(`optimizer buffer '${name}' appears twice in "state"`);
    buffers[name] = Array.from(
      fileTensorValues(version === 1 ? b.values : b.data, version, `optimizer buffer '${name}'`, fail),
    );
  });
  return {
    step: s.step as number,
    epoch: s.epoch as number,
    lr: s.lr as number,
    rng: s.rng as TrainingState["rng"],
    buffers,
  };
}
