// `import netc from "netc/rollup"`: the .net plugin for rollup (plugin.ts).
import type { UnpluginInstance } from "unplugin";
import { netcPlugin, type NetcPluginOptions } from "./plugin.js";

export type { NetcPluginOptions };
const rollup: UnpluginInstance<NetcPluginOptions | undefined, false>["rollup"] = netcPlugin.rollup;
export default rollup;
