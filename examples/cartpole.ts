// CartPole by REINFORCE through a compiled netc trainer:  npm run example:cartpole [-- -o FILE.svg] [--seed S]
// Compiles examples/cartpole.net in memory, trains the policy with a fixed seed until the mean
// return over 100 consecutive episodes reaches 195, prints the returns and writes the reward curve.
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { HelpRequested, helpText, numberFlag, parseArgs, stringFlag, UsageError, type CommandSpec } from "../cli/args.js";
import { CliError } from "../cli/io.js";
import { writeOutput } from "../cli/outputs.js";
import { createPolicy, trainReinforce } from "./rl/reinforce.js";
import { renderRewardPlot } from "./rl/reward-plot.js";

const GOAL = 195;
const WINDOW = 100;
const TIME_LIMIT_S = 60;

const SPEC: CommandSpec = {
  name: "example:cartpole",
  operands: "",
  summary: "Train examples/cartpole.net by REINFORCE until the mean return over 100 episodes reaches 195; write the reward curve.",
  flags: [
    { name: "seed", value: "S", help: "the seed of the weights, the environment and the action sampling (default 1)" },
    { name: "out", alias: "o", value: "FILE.svg", help: "where to write the reward curve (default out/cartpole.returns.svg)" },
    { name: "force", help: "replace FILE.svg even if netc did not write it" },
  ],
};

async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPEC);
  const seed = numberFlag(args, "seed", { integer: true, min: 0 }) ?? 1;
  const out = stringFlag(args, "out") ?? "out/cartpole.returns.svg";
  const policy = await createPolicy(seed);
  let line: number[] = [];
  const result = trainReinforce(policy, {
    seed,
    goal: GOAL,
    window: WINDOW,
    timeLimitMs: TIME_LIMIT_S * 1000,
    onEpisode: (episode, ret, average) => {
      line.push(ret);
      if (line.length === 10) {
        console.log(`episodes ${String(episode - 9).padStart(4)}-${String(episode).padEnd(4)} ${line.map((r) => String(r).padStart(3)).join(" ")}   mean of last ${WINDOW}: ${average.toFixed(1)}`);
        line = [];
      }
    },
  });
  if (line.length > 0) console.log(`episodes ${String(result.returns.length - line.length + 1).padStart(4)}-${String(result.returns.length).padEnd(4)} ${line.map((r) => String(r).padStart(3)).join(" ")}`);
  const title = `CartPole, REINFORCE with examples/cartpole.net (seed ${seed})`;
  const svg = await renderRewardPlot(result.returns, WINDOW, GOAL, title);
  mkdirSync(dirname(out), { recursive: true });
  writeOutput(out, "loss plot", svg, { force: args.flags.has("force"), inputs: [] });
  if (result.solvedAt === null) {
    console.log(`not solved: ${result.returns.length} episodes in ${result.seconds.toFixed(1)} s without a mean of ${GOAL} over ${WINDOW} episodes; curve in ${out}`);
    return 1;
  }
  console.log(`solved after ${result.solvedAt} episodes in ${result.seconds.toFixed(1)} s (mean return over the last ${WINDOW} >= ${GOAL}); curve in ${out}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    if (err instanceof HelpRequested) {
      console.log(helpText(SPEC));
      process.exit(0);
    }
    const known = err instanceof UsageError || err instanceof CliError;
    console.error(known ? `example:cartpole: ${err.message}` : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
