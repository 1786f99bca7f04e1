// Trains the compiled module on xor in a Web Worker, so the page stays responsive: the module
// is imported from a blob: URL, and each epoch's loss is posted back in small batches.
export type FromWorker = { kind: "loss"; losses: number[] } | { kind: "done"; weights: Record<string, number[]> } | { kind: "error"; message: string };

interface GeneratedModel {
  fit(x: Float64Array, y: Float64Array, n: number, options: { onEpoch: (epoch: number, loss: number) => void }): unknown;
  getWeights(): Record<string, { data: Float64Array }>;
}

const X = new Float64Array([0, 0, 0, 1, 1, 0, 1, 1]);
const Y = new Float64Array([0, 1, 1, 0]);

self.onmessage = async (event: MessageEvent<{ code: string }>) => {
  const post = (message: FromWorker) => self.postMessage(message);
  const url = URL.createObjectURL(new Blob([event.data.code], { type: "text/javascript" }));
  try {
    const { createModel } = (await import(/* @vite-ignore */ url)) as { createModel(): GeneratedModel };
    const model = createModel();
    let pending: number[] = [];
    model.fit(X, Y, 4, {
      onEpoch: (_epoch, loss) => {
        pending.push(loss);
        if (pending.length === 20) {
          post({ kind: "loss", losses: pending });
          pending = [];
        }
      },
    });
    if (pending.length > 0) post({ kind: "loss", losses: pending });
    const weights = Object.fromEntries(Object.entries(model.getWeights()).map(([name, t]) => [name, Array.from(t.data)]));
    post({ kind: "done", weights });
  } catch (err) {
    post({ kind: "error", message: err instanceof Error ? err.message : String(err) });
  } finally {
    URL.revokeObjectURL(url);
  }
};
