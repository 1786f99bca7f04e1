// The grammar fuzz of grammar.test.ts on ten times as many inputs (`npm run test:long`).
import { describeGrammarFuzz } from "./fuzz.js";

describeGrammarFuzz({ bytes: 5000, soups: 5000, edits: 1500 });
