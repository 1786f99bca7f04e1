// The playground (`npm run playground`) in headless Chromium (Debian's chromium, driven by
// playwright-core): type a net with an error and see the diagnostic inline, type xor, compile,
// train in the Web Worker and see the loss fall, download the predictor and run it. Saves the
// screenshot the README shows (docs/playground.png).
import { existsSync, readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { chromium, type Browser } from "playwright-core";
import type { ViteDevServer } from "vite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlayground } from "../playground/server.js";
import { ROOT } from "./support/helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const BROKEN = "model m {\n  input x[2]\n  target y[1]\n  output p = sigmoid(dense(x, 1, nonsense))\n}\n";
const XOR = readFileSync(join(ROOT, "examples/xor.net"), "utf8").replace("epochs 3000", "epochs 400");

let server: ViteDevServer;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: apt-get install -y chromium`);
  server = await startPlayground(0);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe("the playground in headless Chromium", () => {
  it("shows diagnostics inline, compiles, trains xor with a falling loss, downloads a working predictor", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 760 }, acceptDownloads: true });
    const port = (server.httpServer!.address() as AddressInfo).port;
    await page.goto(`http://127.0.0.1:${port}/`);
    const editor = page.locator(".cm-content");
    await editor.waitFor();
    const replaceText = async (text: string) => {
      await editor.click();
      await page.keyboard.press("Control+A");
      await page.keyboard.insertText(text);
    };

    await replaceText(BROKEN);
    await page.locator(".cm-lintRange-error").first().waitFor({ timeout: 30_000 });
    await page.click("#compile");
    await expect.poll(() => page.textContent("#status"), { timeout: 60_000 }).toContain("playground.net:4:");

    await replaceText(XOR);
    await page.click("#compile");
    await expect.poll(() => page.textContent("#status"), { timeout: 120_000 }).toMatch(/^compiled: \d+ bytes/);
    await page.click("#train");
    await page.locator("#status[data-last]").waitFor({ timeout: 120_000 });
    const first = Number(await page.getAttribute("#status", "data-first"));
    const last = Number(await page.getAttribute("#status", "data-last"));
    expect(last).toBeLessThan(first / 10);
    expect(await page.locator("#chart polyline").getAttribute("points")).toMatch(/^(\S+,\S+ ){100,}/);

    const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download")]);
    const predictor = readFileSync((await download.path())!, "utf8");
    const { predict } = (await import(`data:text/javascript;base64,${Buffer.from(predictor).toString("base64")}`)) as { predict(x: number[]): Float64Array };
    expect([[0, 0], [0, 1], [1, 0], [1, 1]].map((x) => Math.round(predict(x)[0]!))).toEqual([0, 1, 1, 0]);

    await page.screenshot({ path: join(ROOT, "docs/playground.png") });
  });
});
