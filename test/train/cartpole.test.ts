// examples/cartpole.ts: the environment's physics against steps worked by hand, the REINFORCE
// targets, updates that move the policy the way the policy gradient says, and the whole run
// reaching the CartPole-v0 goal (mean return ≥ 195 over 100 consecutive episodes).
import { describe, expect, it, vi } from "vitest";
import { CartPole, LIMITS } from "../../examples/rl/cartpole-env.js";
import { createPolicy, Episode, policyTargets, trainReinforce } from "../../examples/rl/reinforce.js";

vi.setConfig({ testTimeout: 60_000 });

describe("CartPole physics", () => {
  it("matches hand-computed Euler steps", () => {
    const env = new CartPole();
    env.state.fill(0);
    // At rest and upright, pushing right: temp = F/(M+m) = 100/11; the pole's angular
    // acceleration is −temp / (l(4/3 − m/(M+m))) = −600/41; the cart's is 4400/451.
    expect(env.step(1).done).toBe(false);
    const after1 = [0, 0.02 * (4400 / 451), 0, 0.02 * (-600 / 41)];
    after1.forEach((v, i) => expect(env.state[i]).toBeCloseTo(v, 12));
    // θ is still 0 at the start of the second step, so pushing left exactly cancels the velocities.
    env.step(0);
    const after2 = [0.02 * (88 / 451), 0, 0.02 * (-12 / 41), 0];
    after2.forEach((v, i) => expect(env.state[i]).toBeCloseTo(v, 12));
  });

  it("lets gravity pull a leaning pole further over", () => {
    const env = new CartPole();
    env.state.set([0, 0, 0.1, 0]);
    env.step(0);
    env.step(1);
    expect(env.state[3]).toBeGreaterThan(0); // falling to the side it leans (θ̇ > 0)
  });

  it("ends at 12°, at ±2.4 and after 500 steps", () => {
    const env = new CartPole();
    env.state.set([0, 0, LIMITS.theta - 0.001, 1]);
    expect(env.step(1).done).toBe(true);
    env.state.set([-LIMITS.x + 0.001, -1, 0, 0]);
    expect(env.step(0).done).toBe(true);
    env.state.fill(0);
    env.steps = LIMITS.steps - 2;
    expect(env.step(1).done).toBe(false);
    expect(env.step(0).done).toBe(true);
  });

  it("starts episodes near upright", () => {
    const env = new CartPole();
    let k = 0;
    const s = env.reset(() => [0, 0.999999, 0.5, 0.25][k++]!);
    [-0.05, 0.05, 0, -0.025].forEach((v, i) => expect(s[i]).toBeCloseTo(v, 5));
    expect(env.steps).toBe(0);
  });
});

describe("REINFORCE", () => {
  it("targets are one-hot actions scaled by normalized discounted returns", () => {
    const episode = new Episode();
    episode.length = 3;
    episode.rewards.set([1, 1, 1]);
    episode.actions.set([1, 0, 1]);
    const y = policyTargets(episode, 0.5);
    const returns = [1.75, 1.5, 1];
    const mean = (1.75 + 1.5 + 1) / 3;
    const std = Math.sqrt(returns.reduce((s, g) => s + (g - mean) ** 2, 0) / 3);
    const adv = returns.map((g) => (g - mean) / std);
    expect(Array.from(y.subarray(0, 6))).toEqual([0, adv[0], adv[1], 0, 0, adv[2]].map((v) => expect.closeTo(v!, 6)));
  });

  // Adam moves each weight by about ±lr, so what is guaranteed to improve (to first order) is
  // the objective Σₜ Âₜ log π(aₜ|sₜ) as a whole; each test makes that objective one quantity.
  const trained = async (fill: (episode: Episode, t: number) => void) => {
    const policy = await createPolicy(3);
    const episode = new Episode();
    episode.length = 20;
    for (let t = 0; t < 20; t++) {
      episode.rewards[t] = 1;
      fill(episode, t);
    }
    return { policy, update: () => policy.trainStep(episode.observations, policyTargets(episode, 0.99), episode.length) };
  };
  const a = [0.01, 0.2, -0.03, 0.1];
  const b = [-0.02, -0.3, 0.05, -0.2];

  it("an update makes the action taken before a high return likelier, and one before a low return rarer", async () => {
    // In state a, action 1 early (returns above the episode's mean), action 0 late (below it).
    const { policy, update } = await trained((e, t) => {
      e.observations.set(a, t * 4);
      e.actions[t] = t < 10 ? 1 : 0;
    });
    const before = policy.predict(Float64Array.from(a), 1)[1]!;
    for (let k = 0; k < 5; k++) update();
    expect(policy.predict(Float64Array.from(a), 1)[1]!).toBeGreaterThan(before + 0.02);
  });

  it("an update shifts probability towards the state where the same action did better", async () => {
    // Always action 1: in state a early (high return), in state b late (low return).
    const { policy, update } = await trained((e, t) => {
      e.observations.set(t < 10 ? a : b, t * 4);
      e.actions[t] = 1;
    });
    const logRatio = () => Math.log(policy.predict(Float64Array.from(a), 1)[1]!) - Math.log(policy.predict(Float64Array.from(b), 1)[1]!);
    const before = logRatio();
    for (let k = 0; k < 5; k++) update();
    expect(logRatio()).toBeGreaterThan(before + 0.05);
  });

  it("reaches a mean return of 195 over 100 consecutive episodes within 60 s (seed 1)", async () => {
    const policy = await createPolicy(1);
    const result = trainReinforce(policy, { seed: 1, goal: 195, window: 100, timeLimitMs: 60_000 });
    expect(result.solvedAt).not.toBeNull();
    const last = result.returns.slice(-100);
    expect(last.reduce((s, r) => s + r, 0) / 100).toBeGreaterThanOrEqual(195);
    expect(result.seconds).toBeLessThan(60);
  });
});
