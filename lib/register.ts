// `node --import netc/register app.js`: lets the program import .net files
// (`import { createModel } from "./model.net"`), compiled on first import (hooks.ts).
import { register } from "node:module";

register(new URL("./hooks.js", import.meta.url));
