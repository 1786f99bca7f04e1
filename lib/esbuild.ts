// `import netc from "netc/esbuild"`: the .net plugin for esbuild (plugin.ts).
import type { UnpluginInstance } from "unplugin";
import { netcPlugin, type NetcPluginOptions } from "./plugin.js";

export type { NetcPluginOptions };
const esbuild: UnpluginInstance<NetcPluginOptions | undefined, false>["esbuild"] = netcPlugin.esbuild;
export default esbuild;
