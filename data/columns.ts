// Which columns of a data file feed the model, and how its target is encoded: picked from the
// header by --features, --ignore and --target, by the columns training used (a weights file),
// or by position (features first, the target columns last).
import { classPositions, inputDecl, type ModelIR } from "../compiler/model.js";
import type { EncodeOptions } from "./dataset.js";
import { DataError } from "./errors.js";
import { didYouMean } from "../diagnostics/suggest.js";

/** Which data columns feed the model, by name. */
export interface DataColumns {
  features: string[];
  target: string[];
}

/** `positions` of an index target: class indices per row (one column each), 1 but for `y[T]: class(K)`. */
export type Encoding = { kind: "index"; classes: number; positions: number } | { kind: "binary" } | { kind: "onehot"; classes: number } | { kind: "values" };

export function targetEncoding(model: ModelIR): Encoding {
  if (model.target.classes !== undefined) return { kind: "index", classes: model.target.classes, positions: classPositions(model) };
  if (model.target.width === 1 && model.head === "sigmoid") return { kind: "binary" };
  if (model.target.width > 1 && model.head === "softmax") return { kind: "onehot", classes: model.target.width };
  return { kind: "values" };
}

/** How the model's target reads in messages: `label: class(3)`, `y[1]`. */
export function describeTarget(model: ModelIR): string {
  const t = model.target;
  if (t.classes === undefined) return `${t.name}[${t.width}]`;
  return t.positions !== undefined ? `${t.name}[${t.positions}]: class(${t.classes})` : `${t.name}: class(${t.classes})`;
}

/**
 * The binary cross-entropies take targets in [0, 1] (a probability); a loss that feeds the
 * target to one of them rules out anything else, whatever the head (`bce_logits` has none).
 */
export function targetsAreProbabilities(model: ModelIR): boolean {
  return model.forward.nodes.some((n) =>
    (n.op === "bce_sum" || n.op === "sigmoid_bce_sum") && n.inputs[1]?.op === "input" && n.inputs[1].attrs.name === model.target.name);
}

/** Which columns are features and which the target, from the header and the options. */
export function chooseColumns(header: string[], source: string, model: ModelIR, options: EncodeOptions): { features: number[]; targets: number[] } {
  const inW = model.input.width;
  const enc = targetEncoding(model);
  const column = (name: string, flag: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DataError(`${source}:1: no column named '${name}' for ${flag}${didYouMean(name, header)} (columns: ${header.join(", ")})`);
    return i;
  };
  const ignored = (options.ignore ?? []).map((n) => column(n, "--ignore"));
  const t = options.trained;
  if (t && !options.features && !options.ignore && !options.target && t.features.every((n) => header.includes(n))) {
    const hasTarget = t.target.length > 0 && t.target.every((n) => header.includes(n));
    if (hasTarget || options.targetOptional) return { features: t.features.map((n) => header.indexOf(n)), targets: hasTarget ? t.target.map((n) => header.indexOf(n)) : [] };
  }
  const chosen = options.features?.map((n) => column(n, "--features"));
  let targets = options.target?.map((n) => column(n, "--target"));
  const clash = (a: number[] | undefined, b: number[] | undefined, what: string) => {
    const both = a?.find((i) => b?.includes(i));
    if (both !== undefined) throw new DataError(`${source}:1: column '${header[both]}' is ${what}`);
  };
  clash(chosen, ignored, "named by both --features and --ignore");
  clash(targets, ignored, "the target and named by --ignore");
  clash(targets, chosen, "the target and named by --features");
  for (const list of [chosen, targets]) {
    const twice = list?.find((c, k) => list.indexOf(c) !== k);
    if (twice !== undefined) throw new DataError(`${source}:1: column '${header[twice]}' is named twice`);
  }
  const rest = header.map((_, i) => i).filter((i) => !ignored.includes(i) && !chosen?.includes(i) && !targets?.includes(i));
  const featuresLeft = chosen ? 0 : inW;
  // Without --target the target is what is left at the end: as many columns as the model needs
  // (a softmax y[K] target takes K numeric columns or one label column).
  const wanted = enc.kind === "values" || enc.kind === "index" || (enc.kind === "onehot" && rest.length - featuresLeft === model.target.width) ? model.target.width : 1;
  const flattened = model.input.shape.length > 1 ? ", flattened row-major" : "";
  const wants = `model ${model.name} takes ${inW} feature${inW === 1 ? "" : "s"} (${inputDecl(model)}${flattened}) and ${wanted === 1 ? "1 target column" : `${wanted} target columns`} (${describeTarget(model)})`;
  const names = (cols: number[]) => cols.map((i) => header[i]).join(", ");
  if (!targets) {
    if (options.targetOptional && rest.length === featuresLeft) targets = [];
    else if (rest.length === featuresLeft + wanted) targets = rest.slice(rest.length - wanted);
    else {
      const after = [chosen ? "--features" : "", ignored.length > 0 ? "--ignore" : ""].filter(Boolean).join(" and ");
      const what = `${rest.length} column${rest.length === 1 ? "" : "s"}${after ? ` left after ${after}` : ""} (${names(rest)})`;
      throw new DataError(`${source}:1: the header has ${what}, but ${wants}${options.targetOptional ? " (or features only)" : ""}`);
    }
  } else {
    const ok = enc.kind === "values" || enc.kind === "index" ? [model.target.width] : enc.kind === "onehot" ? [1, model.target.width] : [1];
    if (!ok.includes(targets.length)) {
      throw new DataError(`${source}:1: --target names ${targets.length} column${targets.length === 1 ? "" : "s"}, but ${describeTarget(model)} needs ${ok.join(" or ")}`);
    }
  }
  const features = chosen ?? rest.filter((i) => !targets.includes(i));
  if (features.length !== inW) {
    const what = chosen ? `--features names ${features.length} column${features.length === 1 ? "" : "s"}` : `the header has ${features.length} column${features.length === 1 ? "" : "s"} besides the target`;
    throw new DataError(`${source}:1: ${what} (${names(features)}), but ${wants}`);
  }
  return { features, targets };
}
