// A worker thread of netc tune (pool.ts starts them): it receives the model and the data once,
// then trains one trial segment per message (its module compiled to JavaScript by the command's
// thread) and posts the result back. It imports no compiler back end, so it starts quickly.
import { parentPort, workerData } from "node:worker_threads";
import { runSegment, type CompiledSegment, type SegmentResult, type TrialData } from "./trial.js";

const data = workerData as TrialData;
parentPort!.on("message", (task: CompiledSegment) => {
  runSegment(data, task).then(
    (result) => parentPort!.postMessage(result),
    (err: unknown) => {
      const failed: SegmentResult = { trial: task.trial, status: "failed", message: `internal error: ${(err as Error)?.message ?? String(err)}`, stats: null, state: null };
      parentPort!.postMessage(failed);
    },
  );
});
