// A worker thread of netc tune (pool.ts starts them): it receives the model and the data once,
// then runs one trial segment per message and posts the result back.
import { parentPort, workerData } from "node:worker_threads";
import { runSegment, type SegmentResult, type SegmentTask, type TrialData } from "./trial.js";

const data = workerData as TrialData;
parentPort!.on("message", (task: SegmentTask) => {
  runSegment(data, task).then(
    (result) => parentPort!.postMessage(result),
    (err: unknown) => {
      const failed: SegmentResult = { trial: task.trial, status: "failed", message: `internal error: ${(err as Error)?.message ?? String(err)}`, stats: null, state: null };
      parentPort!.postMessage(failed);
    },
  );
});
