// The two 20-layer examples against tfjs (see crosscheck.ts): deep.net is compared step by step
// from tfjs's weights (its float64 and float32 trajectories diverge chaotically). And the digits
// CNN, whose 50 steps of tfjs convolutions take 15 s (its ops are checked on small models in
// crosscheck-images.test.ts). The sequence and transformer examples' 50 steps (npm test runs
// 5 of them).
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, it, vi } from "vitest";
import { checkExampleAgainstTfjs, STEPS } from "./crosscheck.js";

vi.setConfig({ testTimeout: 600_000 });

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("the deep examples, the CNN and the sequence models against tfjs", () => {
  it.each(["deep-plain", "deep", "digits", "sequence", "transformer"])(`%s: loss and gradients agree with tfjs; ${STEPS} SGD steps agree`, (name) => checkExampleAgainstTfjs(name));
});
