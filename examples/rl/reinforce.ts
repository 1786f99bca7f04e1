// REINFORCE (Williams 1992) through a compiled netc trainer. The policy is the .net model: its
// output is π(·|s). After each episode, every step t becomes one training row whose target is
// the one-hot action aₜ scaled by the normalized discounted return Âₜ. cross_entropy's gradient
// with respect to the logits z is p·Σy − y = Âₜ(π(·|sₜ) − onehot(aₜ)) = −Âₜ ∇_z log π(aₜ|sₜ),
// so one trainStep on the episode is one step of gradient ascent on Σₜ Âₜ log π(aₜ|sₜ).
//
// It uses netc as an application would: the package's API (`compile` to unformatted
// JavaScript, imported from a data: URL). Run as an example, "netc" is this repository's own
// package, whose built entry dist/ `npm ci` makes (`npm run build` after editing the compiler);
// the tests resolve it to the sources (vitest.config.ts).
import { readFileSync } from "node:fs";
import { compile, formatDiagnostic, type Model, type ModelOptions } from "netc";
import { CartPole, LIMITS, seededRandom } from "./cartpole-env.js";

export const POLICY_FILE = new URL("../cartpole.net", import.meta.url);

interface PolicyModule {
  createModel(options?: ModelOptions): Model;
}

let compiled: Promise<PolicyModule> | undefined;

/** A fresh policy from examples/cartpole.net, compiled in memory once, with buffers for a whole episode in one batch. */
export async function createPolicy(seed: number): Promise<Model> {
  compiled ??= compilePolicy();
  return (await compiled).createModel({ seed });
}

async function compilePolicy(): Promise<PolicyModule> {
  const source = readFileSync(POLICY_FILE, "utf8");
  const file = "examples/cartpole.net";
  const { code, diagnostics } = await compile(source, { file, maxBatch: LIMITS.steps, language: "javascript", format: false });
  if (code === undefined) throw new Error(diagnostics.map((d) => formatDiagnostic(d, file, source)).join("\n"));
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as PolicyModule;
}

/** One episode's observations, actions and rewards, in buffers reused across episodes. */
export class Episode {
  readonly observations = new Float64Array(LIMITS.steps * 4);
  readonly actions = new Uint8Array(LIMITS.steps);
  readonly rewards = new Float64Array(LIMITS.steps);
  readonly targets = new Float64Array(LIMITS.steps * 2);
  length = 0;
}

/** Plays one episode with actions sampled from the policy; returns the total reward. */
export function playEpisode(policy: Model, env: CartPole, random: () => number, episode: Episode): number {
  let obs = env.reset(random);
  let total = 0;
  episode.length = 0;
  for (;;) {
    const t = episode.length;
    episode.observations.set(obs, t * 4);
    const p = policy.predict(obs, 1);
    const action = random() < p[0]! ? 0 : 1;
    const { reward, done } = env.step(action);
    episode.actions[t] = action;
    episode.rewards[t] = reward;
    episode.length++;
    total += reward;
    obs = env.state;
    if (done) return total;
  }
}

/**
 * Fills `episode.targets` with onehot(aₜ)·Âₜ: the discounted return from step t on, normalized
 * over the episode to mean 0 and standard deviation 1 (a baseline that lowers the variance).
 */
export function policyTargets(episode: Episode, gamma: number): Float64Array {
  const n = episode.length;
  const g = episode.targets; // returns first, in the even slots, then overwritten by targets
  let running = 0;
  for (let t = n - 1; t >= 0; t--) {
    running = episode.rewards[t]! + gamma * running;
    g[2 * t] = running;
  }
  let mean = 0;
  for (let t = 0; t < n; t++) mean += g[2 * t]!;
  mean /= n;
  let variance = 0;
  for (let t = 0; t < n; t++) variance += (g[2 * t]! - mean) ** 2;
  const std = Math.sqrt(variance / n) + 1e-8;
  for (let t = 0; t < n; t++) {
    const advantage = (g[2 * t]! - mean) / std;
    const a = episode.actions[t]!;
    g[2 * t] = a === 0 ? advantage : 0;
    g[2 * t + 1] = a === 1 ? advantage : 0;
  }
  return g;
}

export interface ReinforceOptions {
  seed: number;
  gamma?: number;
  maxEpisodes?: number;
  /** Stop once the mean return over the last `window` episodes reaches `goal`. */
  goal?: number;
  window?: number;
  /** Give up after this many milliseconds. */
  timeLimitMs?: number;
  onEpisode?: (episode: number, ret: number, average: number) => void;
}

export interface ReinforceResult {
  returns: number[];
  /** The episode (1-based) that completed the first window whose mean reached the goal, or null. */
  solvedAt: number | null;
  seconds: number;
}

export function trainReinforce(policy: Model, options: ReinforceOptions): ReinforceResult {
  const { seed, gamma = 0.99, maxEpisodes = 3000, goal = 195, window = 100, timeLimitMs = Infinity } = options;
  const env = new CartPole();
  const random = seededRandom(seed);
  const episode = new Episode();
  const returns: number[] = [];
  const start = performance.now();
  let windowSum = 0;
  let solvedAt: number | null = null;
  while (returns.length < maxEpisodes && performance.now() - start < timeLimitMs) {
    const ret = playEpisode(policy, env, random, episode);
    returns.push(ret);
    windowSum += ret - (returns.length > window ? returns[returns.length - 1 - window]! : 0);
    const average = windowSum / Math.min(returns.length, window);
    options.onEpisode?.(returns.length, ret, average);
    if (returns.length >= window && average >= goal) {
      solvedAt = returns.length;
      break;
    }
    policy.trainStep(episode.observations, policyTargets(episode, gamma), episode.length);
  }
  return { returns, solvedAt, seconds: (performance.now() - start) / 1000 };
}
