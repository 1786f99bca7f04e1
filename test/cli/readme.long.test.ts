// The examples of README.md and docs/ exactly as written, the long trainings and searches included
// (test/cli/readme.ts; npm test runs them shortened).
import { describeReadme } from "./readme.js";

describeReadme(false);
