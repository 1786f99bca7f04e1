// `import netc from "netc/vite"`: the .net plugin for vite (plugin.ts).
import type { UnpluginInstance } from "unplugin";
import { netcPlugin, type NetcPluginOptions } from "./plugin.js";

export type { NetcPluginOptions };
const vite: UnpluginInstance<NetcPluginOptions | undefined, false>["vite"] = netcPlugin.vite;
export default vite;
