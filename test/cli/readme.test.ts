// The examples of README.md and docs/, run as a reader would (test/cli/readme.ts), except the blocks marked
// `long` (each names the test that covers it here); readme.long.test.ts runs them all as written.
import { describeReadme } from "./readme.js";

describeReadme(true);
