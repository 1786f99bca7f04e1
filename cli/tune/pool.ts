// Runs trial segments on worker threads, one segment per worker at a time, or — with one
// thread — in this thread. Either way each trial is compiled here (trial.ts says why); workers
// get JavaScript to train. From the sources (tsx, tests) a worker registers tsx's loader
// before importing worker.ts; from the built CLI it runs dist/tune-worker.js.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { compileAndRunSegment, compileTrial, failedSegment, type CompiledSegment, type SegmentResult, type SegmentTask, type TrialData } from "./trial.js";

export interface SegmentRunner {
  run(task: SegmentTask): Promise<SegmentResult>;
  close(): Promise<void>;
}

export function createRunner(threads: number, data: TrialData): SegmentRunner {
  return threads <= 1 ? { run: (task) => compileAndRunSegment(data, task), close: async () => {} } : new WorkerPool(threads, data);
}

interface Job {
  task: CompiledSegment;
  resolve: (r: SegmentResult) => void;
  reject: (err: Error) => void;
}

class WorkerPool implements SegmentRunner {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private started = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly data: TrialData,
  ) {}

  async run(task: SegmentTask): Promise<SegmentResult> {
    const compiled = await compileTrial(this.data, task.values);
    if ("failed" in compiled) return failedSegment(task, compiled.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { ...task, code: compiled.code }, resolve, reject });
      this.next();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error("the tune was stopped"));
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }

  private next(): void {
    while (this.queue.length > 0 && !this.closed) {
      const worker = this.idle.pop() ?? (this.started < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.postMessage(job.task);
    }
  }

  private spawn(): Worker {
    this.started++;
    const worker = new Worker(bootstrap(), { eval: true, workerData: this.data });
    worker.on("message", (result: SegmentResult) => {
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      job?.resolve(result);
      this.next();
    });
    // A worker that dies takes its segment with it; the search stops with the reason.
    let gone = false; // an error is followed by an exit: count the worker once
    const lost = (err: Error) => {
      if (gone) return;
      gone = true;
      const job = this.busy.get(worker);
      this.busy.delete(worker);
      if (this.idle.includes(worker)) this.idle.splice(this.idle.indexOf(worker), 1);
      this.started--;
      job?.reject(err);
    };
    worker.on("error", lost);
    worker.on("exit", (code) => {
      if (!this.closed) lost(new Error(`a worker thread stopped (exit code ${code})`));
    });
    return worker;
  }
}

/** The worker's first code: load the worker module, through tsx's loader when running from the sources. */
function bootstrap(): string {
  const fromSources = import.meta.url.endsWith(".ts");
  const entry = new URL(fromSources ? "./worker.ts" : "./tune-worker.js", import.meta.url).href;
  if (!fromSources) return `import(${JSON.stringify(entry)});`;
  const tsx = new URL("dist/esm/api/index.mjs", pathToFileURL(createRequire(import.meta.url).resolve("tsx/package.json"))).href;
  return `import(${JSON.stringify(tsx)}).then((m) => m.register()).then(() => import(${JSON.stringify(entry)}));`;
}
