// Measures the web verifier against its targets, in one run on this
// machine (figures go to docs/performance.md):
//
//   node web/tests/bench.mjs            (after web/build.sh and the builds of web/tests/run.sh)
//
// 1. page weight: every file of the app, gzipped (-9), and the WebAssembly
//    module's code by crate (from its name section);
// 2. scanning one 1280x720 camera frame (with a code, and without) in
//    headless Chromium: median of 50 calls;
// 3. camera frame to verdict on screen, default Argon2id (19 MiB, 2
//    passes): the app's own timing from the frame grab to the painted
//    verdict, over 15 page loads;
// 4. Argon2id in WebAssembly against native: the whole verification of the
//    same code, 21 times each, medians, and their ratio (native: the
//    verify_time example, release build).
//
// Timing is not a test: nothing here fails on a slow machine.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { APP, DEMO_CF, ROOT, fixtures, launch, open, serve, verdict } from "./harness.mjs";
import { wasmByCrate } from "./wasm-size.mjs";

const median = (v) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const q = (v, p) => [...v].sort((a, b) => a - b)[Math.round((v.length - 1) * p)];
const fmt = (v) => `median ${median(v).toFixed(1)} ms (p25 ${q(v, 0.25).toFixed(1)}, p75 ${q(v, 0.75).toFixed(1)}, n=${v.length})`;

// ---------------------------------------------------------------- 1. weight

function pageWeight() {
  let raw = 0;
  let gz = 0;
  const rows = [];
  for (const f of fs.readdirSync(APP).sort()) {
    const b = fs.readFileSync(path.join(APP, f));
    const z = zlib.gzipSync(b, { level: 9 }).length;
    raw += b.length;
    gz += z;
    rows.push(`  ${f.padEnd(24)} ${String(b.length).padStart(9)} ${String(z).padStart(9)}`);
  }
  console.log("== page weight (bytes: raw, gzip -9)");
  console.log(rows.join("\n"));
  console.log(`  ${"total".padEnd(24)} ${String(raw).padStart(9)} ${String(gz).padStart(9)}  (${(gz / 1024 / 1024).toFixed(2)} MiB gzipped; target 1.5 MB)`);
}

// ---------------------------------------------------------------- browser

const fx = fixtures();
const server = await serve(fx.dir);
pageWeight();
// wasm-bindgen's output keeps the name section the per-crate view needs.
const named = path.join(ROOT, "target/wasm32-unknown-unknown/wasm/attesta_wasm.wasm");
if (fs.existsSync(named)) wasmByCrate(named);

try {
  // 2. One frame, scanned 50 times, in the page's WebAssembly.
  {
    const browser = await launch({ video: fx.video.still });
    const page = await open(browser, server.url);
    await page.click("#scan"); // no CF: the camera keeps running
    await page.waitForFunction(() => document.getElementById("code-text").value !== "", { timeout: 30_000 });
    const r = await page.evaluate(async () => {
      const cam = window.attesta.camera;
      const f = cam.frame();
      const blank = new Uint8ClampedArray(f.data.length).fill(200);
      const time = async (data) => {
        const t = [];
        for (let i = 0; i < 50; i++) {
          const s = performance.now();
          await window.attesta.engine.scanLive(f.width, f.height, data);
          t.push(performance.now() - s);
        }
        return t;
      };
      const found = await window.attesta.engine.scanLive(f.width, f.height, f.data);
      return { width: f.width, height: f.height, codes: found.codes.length, withCode: await time(f.data), empty: await time(blank) };
    });
    console.log(`== scanning one ${r.width}x${r.height} frame in Chromium (codes read: ${r.codes}; target 40 ms)`);
    console.log(`  with a code:    ${fmt(r.withCode)}`);
    console.log(`  without a code: ${fmt(r.empty)}`);
    await browser.close();
    browser.cleanup();
  }

  // 3. Camera frame to verdict on screen, default Argon2id.
  {
    const browser = await launch({ video: fx.video.still });
    const times = [];
    for (let i = 0; i < 15; i++) {
      const page = await open(browser, server.url);
      await page.type("#cf", DEMO_CF);
      await page.click("#scan");
      const v = await verdict(page);
      if (v.verdict !== "valid") throw new Error(`run ${i}: ${v.verdict} ${v.reason}`);
      times.push(...(await page.evaluate(() => window.attesta.timings.frameToVerdict)));
      await page.close();
    }
    console.log("== camera frame to verdict on screen, Argon2id 19 MiB / 2 passes (target 500 ms)");
    console.log(`  ${fmt(times)}`);
    await browser.close();
    browser.cleanup();
  }

  // 4. The same verification in WebAssembly and natively.
  {
    const browser = await launch();
    const page = await open(browser, server.url);
    const wasm = await page.evaluate(async (code, cf) => {
      const t = [];
      for (let i = 0; i < 21; i++) {
        const s = performance.now();
        const r = await window.attesta.engine.verify(code, cf, undefined);
        t.push(performance.now() - s);
        if (!r.valid) throw new Error(r.reason);
      }
      return t;
    }, fx.code, DEMO_CF);
    await browser.close();
    browser.cleanup();
    const exe = path.join(ROOT, "target/release/examples/verify_time");
    const native = spawnSync(exe, [fx.dir, path.join(fx.dir, "plain.txt"), DEMO_CF, "", "21"], { encoding: "utf8" });
    if (native.status !== 0) throw new Error(`verify_time: ${native.stderr}`);
    const n = JSON.parse(native.stdout);
    console.log("== whole verification of one code (Argon2id 19 MiB / 2 passes), same run");
    console.log(`  WebAssembly in Chromium: ${fmt(wasm)}`);
    console.log(`  native (release):        median ${n.verify_ms.median} ms (p25 ${n.verify_ms.p25}, p75 ${n.verify_ms.p75}, n=${n.runs}); step 2 alone ${n.open_ms.median} ms`);
    console.log(`  ratio WebAssembly / native: ${(median(wasm) / n.verify_ms.median).toFixed(2)}`);
  }
} finally {
  await server.stop();
  fs.rmSync(fx.dir, { recursive: true, force: true });
}
