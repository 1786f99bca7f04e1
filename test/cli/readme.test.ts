// The examples of README.md and docs/, run as a reader would (test/cli/readme.ts), with the blocks marked
// `quick` shortened; readme.long.test.ts runs them as written.
import { describeReadme } from "./readme.js";

describeReadme(true);
