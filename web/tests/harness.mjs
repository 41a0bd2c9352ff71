// Shared set-up of the end-to-end tests: the demo's keys and lists made by
// the real CLI, camera videos, the app served by `attesta web serve`, and
// headless Chromium (Debian's /usr/bin/chromium) driven by puppeteer-core.

import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET = process.env.CARGO_TARGET_DIR ?? path.join(ROOT, "target");
export const ATTESTA = process.env.ATTESTA_BIN ?? path.join(TARGET, "debug/attesta");
export const APP = process.env.ATTESTA_WEB_APP ?? path.join(TARGET, "web/app");
export const SCREENSHOTS = path.join(TARGET, "web-screenshots");
const VIDEO = process.env.ATTESTA_VIDEO_BIN ?? path.join(TARGET, "debug/examples/camera_video");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export const DEMO_CF = "RSSMRA85T10A562S";
export const WRONG_CF = "MRTMTT25D09F205Z";
/** A second holder, for the revoked code. */
export const OTHER_CF = "BNCLRA80A41H501D";

export function attesta(args, { input } = {}) {
  const r = spawnSync(ATTESTA, args, { encoding: "utf8", input, env: { ...process.env, ATTESTA_STATE_DIR: path.join(os.tmpdir(), "attesta-e2e-state") } });
  if (r.status !== 0) {
    throw new Error(`attesta ${args.join(" ")} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

function video(out, scene, text, cf) {
  const args = [out, scene, text, ...(cf ? [cf] : [])];
  const r = spawnSync(VIDEO, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`camera_video ${scene}: ${r.stderr}`);
  return out;
}

/** Starts `attesta web serve`; resolves once it listens, with its base URL and its request log. */
export function serve(dir, port = 0) {
  return new Promise((resolve, reject) => {
    const child = spawn(ATTESTA, ["web", "serve", "--dir", dir, "--port", String(port), "--app", APP], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const log = [];
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const m = out.match(/at (http:\/\/127\.0\.0\.1:\d+\/)/);
      for (const line of chunk.split("\n")) if (/^(GET|HEAD|POST) /.test(line)) log.push(line);
      if (m && !child.url) {
        child.url = m[1];
        resolve({ url: m[1], log, stop: () => stop(child) });
      }
    });
    child.stderr.on("data", (d) => process.stderr.write(d));
    child.on("exit", (code) => {
      if (!child.url) reject(new Error(`attesta web serve exited ${code}: ${out}`));
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

/** Keys, lists and codes, made with the CLI exactly as an issuer would. */
export function fixtures() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "attesta-e2e-"));
  attesta(["demo", "--dir", dir]);
  const read = (f) => fs.readFileSync(path.join(dir, f), "utf8").trim();
  const issue = (cf, out, extra = []) => attesta([
    "issue", "--key", path.join(dir, "issuer.key"), "--issuer", "INPS-DEMO", "--cf", cf,
    "--invalidita", "75", "--handicap", "grave", "--deambulazione-ridotta", "--rivedibile", "2028-06-30",
    "--status-list", path.join(dir, "status-1.cwt"), "--out", path.join(dir, out), ...extra,
  ]);
  // The demo's code asks for the holder's secret too; most tests use a
  // code issued without one.
  issue(DEMO_CF, "plain.txt");
  issue(OTHER_CF, "revoked.txt");
  attesta(["status", "revoke", "--key", path.join(dir, "issuer.key"), "--list", path.join(dir, "status-1.cwt"),
    "--credential", path.join(dir, "revoked.txt")]);
  const code = read("plain.txt");
  const videos = path.join(dir, "videos");
  fs.mkdirSync(videos);
  return {
    dir,
    code,
    withSecret: read("attestazione.txt"),
    secret: read("attestazione.pdf.segreto"),
    revoked: read("revoked.txt"),
    token: read("dettagli-comune-bo.txt"),
    operatorKey: path.join(dir, "comune-bo.key"),
    otherOperatorKey: path.join(dir, "museo-x.key"),
    photo: path.join(dir, "attestazione.png"),
    video: {
      still: video(path.join(videos, "still.y4m"), "still", code),
      moving: video(path.join(videos, "moving.y4m"), "moving", code),
      card: video(path.join(videos, "card.y4m"), "card", code, DEMO_CF),
      link: video(path.join(videos, "link.y4m"), "still", "https://www.inps.it/"),
    },
  };
}

/** Headless Chromium, with `video` (a .y4m file) as the camera. */
export async function launch({ video } = {}) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), "attesta-chromium-"));
  const args = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
  ];
  if (video) args.push(`--use-file-for-fake-video-capture=${video}`);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir,
    args,
    defaultViewport: { width: 390, height: 844, deviceScaleFactor: 1, isMobile: true, hasTouch: true },
  });
  browser.cleanup = () => fs.rmSync(userDataDir, { recursive: true, force: true });
  return browser;
}

/**
 * A page on `url` with every request it (and its service worker) makes
 * recorded in `page.requests`: URL, method, headers and body.
 */
export async function open(browser, url, { clockOffsetDays = 0 } = {}) {
  const page = await browser.newPage();
  await page.setBypassCSP(true); // to inject axe-core
  page.requests = [];
  // Recorded from the DevTools protocol as the network sees them: the URL
  // without its fragment (`urlFragment` apart), headers and body.
  const record = (e) => page.requests.push({
    url: e.request.url, fragment: e.request.urlFragment ?? "", method: e.request.method,
    headers: e.request.headers, body: e.request.postData ?? "",
  });
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  cdp.on("Network.requestWillBeSent", record);
  browser.on("targetcreated", async (target) => {
    if (target.type() === "service_worker") {
      const session = await target.createCDPSession().catch(() => null);
      if (session) {
        await session.send("Network.enable").catch(() => {});
        session.on("Network.requestWillBeSent", record);
      }
    }
  });
  page.consoleLog = [];
  page.on("console", (m) => page.consoleLog.push(`${m.type()}: ${m.text()}`));
  page.on("pageerror", (e) => page.consoleLog.push(`pageerror: ${e.message}`));
  if (clockOffsetDays) {
    const offset = clockOffsetDays * 86_400_000;
    await page.evaluateOnNewDocument((off) => {
      const RealDate = Date;
      const now = () => RealDate.now() + off;
      class ShiftedDate extends RealDate {
        constructor(...a) {
          super(...(a.length ? a : [now()]));
        }
        static now() {
          return now();
        }
      }
      globalThis.Date = ShiftedDate;
    }, offset);
  }
  await page.goto(url, { waitUntil: "load" });
  await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
  return page;
}

/** Waits for a verdict on screen; returns what the screen and the page's JSON say. */
export async function verdict(page, { timeout = 30_000 } = {}) {
  await page.waitForSelector("#verdict[data-verdict]:not([data-verdict=''])", { timeout });
  return page.evaluate(() => {
    const v = document.getElementById("verdict");
    return {
      verdict: v.dataset.verdict,
      reason: v.dataset.reason,
      text: v.innerText,
      details: document.getElementById("details").innerText,
      header: document.getElementById("lists-status").innerText,
      report: window.attesta.lastReport,
      json: JSON.parse(document.getElementById("report-json").textContent || "null"),
    };
  });
}

export async function typeInto(page, selector, text) {
  await page.click(selector, { clickCount: 3 });
  await page.keyboard.press("Backspace");
  await page.type(selector, text);
}

export async function setCode(page, text) {
  await page.$eval("#code-text", (el, t) => {
    el.value = t;
    el.dispatchEvent(new Event("input", { bubbles: true }));
  }, text);
}

export async function axe(page) {
  await page.addScriptTag({ path: path.join(ROOT, "web/tests/node_modules/axe-core/axe.min.js") });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"] },
    });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
}

/**
 * The screen as a phone shows it (390×844, the verdict scrolled into view
 * as the page does after a verification), and the whole page beside it.
 */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.$eval("#verdict", (e) => e.scrollIntoView({ block: "start" }));
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-full.png`), fullPage: true });
  return file;
}

/** Every way the secret could appear in a request: as is, percent-encoded, base64. */
export function leaks(requests, secrets) {
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), Buffer.from(s).toString("base64")]);
  return requests.filter((r) => {
    const all = `${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`;
    return forms.some((f) => all.includes(f));
  });
}
