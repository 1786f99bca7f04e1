// The two 20-layer examples against tfjs (see crosscheck.ts): deep.net is compared step by step
// from tfjs's weights (its float64 and float32 trajectories diverge chaotically).
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, it, vi } from "vitest";
import { checkExampleAgainstTfjs, STEPS } from "./crosscheck.js";

vi.setConfig({ testTimeout: 600_000 });

beforeAll(async () => {
  await tf.setBackend("cpu");
});

describe("the deep examples against tfjs", () => {
  it.each(["deep-plain", "deep"])(`%s: loss and gradients agree with tfjs; ${STEPS} SGD steps agree`, (name) => checkExampleAgainstTfjs(name));
});
