// Training progress: a live bar (epoch, loss, metric, ETA) when the output is a terminal,
// otherwise one plain line every few epochs, which reads well in CI logs and pipes.
import cliProgress from "cli-progress";
import type { EpochStats } from "./train-loop.js";
import type { Output } from "./main.js";
import { regressionText } from "../data/metrics.js";

export interface Progress {
  epoch(stats: EpochStats): void;
  stop(): void;
}

/** Progress over epochs `start + 1` .. `totalEpochs` (a resumed run counts on from `start`). */
export function createProgress(out: Output, totalEpochs: number, start = 0): Progress {
  if (out.progressStream) return barProgress(out.progressStream, totalEpochs, start);
  const every = Math.max(1, Math.ceil((totalEpochs - start) / 10));
  const started = Date.now();
  const width = String(totalEpochs).length;
  return {
    epoch(s) {
      if (s.epoch !== start + 1 && (s.epoch - start) % every !== 0 && s.epoch !== totalEpochs) return;
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      out.stdout(`epoch ${String(s.epoch).padStart(width)}/${totalEpochs}  ${metricsText(s)}  (${seconds}s)`);
    },
    stop() {},
  };
}

function barProgress(stream: NodeJS.WriteStream, totalEpochs: number, start: number): Progress {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: "epoch {value}/{total} {bar} {percentage}% | {metrics} | ETA {eta_formatted}",
      hideCursor: true,
      barsize: 24,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalEpochs, start, { metrics: "" });
  return {
    epoch: (s) => bar.update(s.epoch, { metrics: metricsText(s) }),
    stop: () => bar.stop(),
  };
}

export function metricsText(s: EpochStats): string {
  const parts = [`loss ${fixed(s.train.loss)}`];
  if (s.train.accuracy !== null) parts.push(`acc ${percent(s.train.accuracy)}`);
  if (s.train.regression) parts.push(regressionText(s.train.regression));
  if (s.val) {
    parts.push(`val_loss ${fixed(s.val.loss)}`);
    if (s.val.accuracy !== null) parts.push(`val_acc ${percent(s.val.accuracy)}`);
    if (s.val.regression) parts.push(regressionText(s.val.regression, "val_"));
  }
  return parts.join("  ");
}

export function fixed(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : String(v);
}

export function percent(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}
