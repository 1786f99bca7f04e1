// The bundler plugin, one implementation for Vite, Rollup and esbuild through unplugin: a .net
// import loads as the JavaScript module netc compiles from it. Errors fail the build (and show
// in Vite's overlay) with every diagnostic and its caret. In Vite's dev server the .net file is
// in the module graph like any source, so editing it reloads the page with the new model.
import { readFile } from "node:fs/promises";
import { createUnplugin, type UnpluginInstance } from "unplugin";
import { compileNetModule, displayPath, isNetId, withoutQuery } from "./net-file.js";

export interface NetcPluginOptions {
  /** Where the kernels run: "js" (default), "wasm" or "auto". */
  backend?: "js" | "wasm" | "auto";
  /** Element type of the generated arrays; overrides each model's train block. */
  precision?: "f64" | "f32";
}

export const netcPlugin: UnpluginInstance<NetcPluginOptions | undefined, false> = createUnplugin((options: NetcPluginOptions | undefined) => ({
  name: "netc",
  enforce: "pre",
  loadInclude: (id: string) => isNetId(id),
  async load(id: string) {
    const file = withoutQuery(id);
    this.addWatchFile(file);
    const shownAs = displayPath(file);
    const result = await compileNetModule(await readFile(file, "utf8"), shownAs, { backend: options?.backend, precision: options?.precision });
    // Thrown rather than this.error(): unplugin's esbuild adapter records that and carries on.
    if ("errors" in result) throw new Error(result.errors);
    return result.code;
  },
}));
