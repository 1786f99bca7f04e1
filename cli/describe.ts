// How `netc train` describes its settings in the banner: the optimizer and its rate, batch,
// epochs and seed always; the schedule, warm-up, weight decay, clipping, frozen parameters and
// input standardization whenever they are in effect, so the banner says everything that shapes the run.
import type { TrainSpec } from "../compiler/model.js";

/** `epochs` says which epochs this run trains ("50 epochs (51 to 100)" when resumed). */
export function describeSettings(t: TrainSpec, normalized: boolean, epochs = `${t.epochs} epochs`): string {
  const opt = t.optimizer;
  const parts = [`${opt.kind} lr ${opt.lr}`];
  if (opt.weight_decay > 0) parts.push(`weight decay ${opt.weight_decay}`);
  const s = t.schedule;
  if (s.kind === "step") parts.push(`schedule step(every ${s.every}, gamma ${s.gamma})`);
  if (s.kind === "exponential") parts.push(`schedule exponential(gamma ${s.gamma})`);
  if (s.kind === "cosine") parts.push(`schedule cosine(min ${s.min})`);
  if (t.warmup > 0) parts.push(`warm-up ${t.warmup} epoch${t.warmup === 1 ? "" : "s"}`);
  if (t.clipNorm > 0) parts.push(`clip_norm ${t.clipNorm}`);
  if (t.frozen.length > 0) parts.push(`frozen ${t.frozen.join(", ")}`);
  parts.push(`batch ${t.batch}`, epochs, `seed ${t.seed}`);
  if (normalized) parts.push("inputs standardized");
  return parts.join(", ");
}
