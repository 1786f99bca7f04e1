// netc tune's progress: a live bar over the trial segments when the output is a terminal,
// otherwise one line per rung (how many trials, to how many epochs, the best so far).
import cliProgress from "cli-progress";
import type { Output } from "../main.js";

export interface TuneProgress {
  segmentDone(best: string): void;
  rungDone(line: string): void;
  stop(): void;
}

export function createTuneProgress(out: Output, totalSegments: number, done: number): TuneProgress {
  const stream = out.progressStream;
  if (!stream) {
    return { segmentDone() {}, rungDone: (line) => out.stdout(line), stop() {} };
  }
  const bar = new cliProgress.SingleBar(
    { stream, format: "trials {value}/{total} {bar} {percentage}% | best {best} | ETA {eta_formatted}", hideCursor: true, barsize: 24, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(totalSegments, done, { best: "-" });
  return {
    segmentDone: (best) => bar.increment(1, { best }),
    // Printed above the bar, which redraws below it.
    rungDone: (line) => {
      stream.write("\r\x1b[2K");
      out.stdout(line);
      bar.render();
    },
    stop: () => bar.stop(),
  };
}
