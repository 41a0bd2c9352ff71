// End-to-end tests of the web verifier in headless Chromium: the app built
// by web/build.sh, served by `attesta web serve` over the demo's lists,
// with Chromium's fake camera fed from videos of rendered codes.
//
//   web/tests/run.sh        (builds what is needed, then runs these)

import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, describe, test } from "node:test";
import {
  DEMO_CF, OTHER_CF, WRONG_CF, attesta, axe, fixtures, launch, leaks, open, screenshot, serve, setCode,
  typeInto, verdict,
} from "./harness.mjs";

/** No test may hang CI: each gets three minutes, the set-up ten. */
const LIMIT = { timeout: 180_000 };

let fx;
let server;

before(async () => {
  fx = fixtures();
  server = await serve(fx.dir);
}, { timeout: 600_000 });

after(async () => {
  await server?.stop();
  if (fx) fs.rmSync(fx.dir, { recursive: true, force: true });
});

/** The secrets of a verification: the CF and the code (whole and in part). */
const secretsOf = (code, cf) => [cf, code, code.slice(4, 40)];

function assertNoLeaks(page, code, cf) {
  const leaked = leaks(page.requests, secretsOf(code, cf));
  assert.deepEqual(leaked.map((r) => r.url), [], "a request carried the code or the codice fiscale");
  const logged = server.log.filter((l) => secretsOf(code, cf).some((s) => l.includes(s) || l.includes(encodeURIComponent(s))));
  assert.deepEqual(logged, [], "the server received the code or the codice fiscale");
}

describe("verdicts", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    browser?.cleanup();
  });

  test("a wrapped code opened as a URL, with the right CF typed: VALIDO, and no request carries the fragment", LIMIT, async () => {
    const wrapped = attesta([
      "issue", "--key", `${fx.dir}/issuer.key`, "--issuer", "INPS-DEMO", "--cf", DEMO_CF, "--invalidita", "100",
      "--verify-url", server.url, "--out", "-",
    ]).trim();
    assert.ok(wrapped.startsWith(`${server.url}#AT1:`), wrapped);
    const code = wrapped.slice(server.url.length + 1);
    const page = await open(browser, wrapped);
    // The code is taken from the address, which is then cleaned.
    assert.equal(await page.$eval("#code-text", (e) => e.value), decodeURIComponent(code));
    assert.equal(await page.evaluate(() => location.hash), "");
    await page.type("#cf", DEMO_CF);
    const v = await verdict(page);
    assert.equal(v.verdict, "valid", v.text);
    assert.equal(v.reason, "");
    assert.match(v.text, /VALIDO/);
    assert.match(v.text, /documento d'identità/);
    assert.equal(v.report.valid, true);
    assert.equal(v.report.level, 1);
    assert.deepEqual(v.json, v.report);
    // The browser keeps the fragment to itself: no request URL has it, and
    // the server saw the page requested as "/" only.
    assert.ok(page.requests.length > 0);
    assert.ok(!page.requests.some((r) => r.url.includes("#") || r.url.includes("AT1")), "a request URL had the fragment");
    assert.ok(server.log.some((l) => /^GET \/ /.test(l)), server.log.join("\n"));
    assertNoLeaks(page, decodeURIComponent(code), DEMO_CF);
    await page.close();
  });

  test("pasted code, typed CF: VALIDO with statuses, benefits, issuer, validity and revocation; same JSON as the CLI", LIMIT, async () => {
    const page = await open(browser, server.url);
    assert.deepEqual(await axe(page), [], "accessibility violations on the scan screen");
    await setCode(page, fx.code);
    await page.type("#cf", DEMO_CF.toLowerCase());
    await page.click("#verify");
    const v = await verdict(page);
    assert.equal(v.verdict, "valid", v.text);
    assert.match(v.details, /INPS-DEMO/);
    assert.match(v.details, /non revocata/);
    assert.match(v.details, /Handicap|handicap/);
    const cli = JSON.parse(attesta([
      "verify", "-", "--cf", DEMO_CF, "--json", "--lang", "it", "--trust", `${fx.dir}/trust.cwt`,
      "--root", `${fx.dir}/root.key.pub`, "--status-list", `${fx.dir}/status-1.cwt`, "--state", `${fx.dir}/e2e-cli-state.json`,
    ], { input: fx.code }));
    // The same object but for the time of the check.
    const strip = ({ checked_at, ...rest }) => rest;
    assert.deepEqual(strip(v.report), strip(cli), "the page's JSON differs from attesta verify --json");
    assert.deepEqual(await axe(page), [], "accessibility violations on the verdict screen");
    await screenshot(page, "valid");
    // English on request.
    await page.click("#lang");
    const en = await verdict(page);
    assert.match(en.text, /VALID/);
    assert.match(en.text, /identity document/);
    await screenshot(page, "valid-en");
    await page.click("#lang");
    assertNoLeaks(page, fx.code, DEMO_CF);
    await page.close();
  });

  test("wrong CF: NON VALIDO, cf_mismatch", LIMIT, async () => {
    const page = await open(browser, server.url);
    await setCode(page, fx.code);
    await page.type("#cf", WRONG_CF);
    await page.click("#verify");
    const v = await verdict(page);
    assert.equal(v.verdict, "not_valid", v.text);
    assert.equal(v.reason, "cf_mismatch");
    assert.match(v.text, /NON VALIDO/);
    assert.equal(v.report.reason, "cf_mismatch");
    assert.deepEqual(await axe(page), []);
    await screenshot(page, "not-valid");
    await page.close();
  });

  test("a CF with a typo is reported as you type, and as NON VERIFICABILE, not as the holder's fault", LIMIT, async () => {
    const page = await open(browser, server.url);
    await setCode(page, fx.code);
    await page.type("#cf", "RSSMRA85T10A562X");
    const err = await page.$eval("#cf-error", (e) => e.textContent);
    assert.notEqual(err, "", "no message for a wrong check character");
    assert.equal(await page.$eval("#cf", (e) => e.getAttribute("aria-invalid")), "true");
    assert.deepEqual(await axe(page), [], "accessibility violations on the CF screen with an error");
    await page.click("#verify");
    const v = await verdict(page);
    assert.equal(v.verdict, "cannot_verify", v.text);
    assert.equal(v.reason, "cf_malformed");
    await page.close();
  });

  test("altered code: NON VALIDO", LIMIT, async () => {
    const page = await open(browser, server.url);
    // One character of the signature changed (within the base45 alphabet).
    const i = fx.code.length - 10;
    const altered = fx.code.slice(0, i) + (fx.code[i] === "A" ? "B" : "A") + fx.code.slice(i + 1);
    await setCode(page, altered);
    await page.type("#cf", DEMO_CF);
    await page.click("#verify");
    const v = await verdict(page);
    assert.equal(v.verdict, "not_valid", v.text);
    assert.ok(["bad_signature", "malformed_cose", "bad_base45", "malformed_cbor"].includes(v.reason), v.reason);
    await page.close();
  });

  test("revoked code: NON VALIDO, revoked", LIMIT, async () => {
    const page = await open(browser, server.url);
    await setCode(page, fx.revoked);
    await page.type("#cf", OTHER_CF);
    await page.click("#verify");
    const v = await verdict(page);
    assert.equal(v.verdict, "not_valid", v.text);
    assert.equal(v.reason, "revoked");
    await page.close();
  });

  test("second level: a token for this operator opens, one for another operator is refused", LIMIT, async () => {
    const page = await open(browser, server.url);
    const importKey = async (file) => {
      await page.click("#open-settings");
      const input = await page.$("#operator-file");
      await input.uploadFile(file);
      await page.type("#operator-pass", "passphrase di prova");
      await page.click("#operator-save");
      await page.waitForFunction(() => /sbloccata/.test(document.getElementById("operator-state").textContent)
        || document.getElementById("operator-error").textContent !== "", { timeout: 30_000 });
      assert.equal(await page.$eval("#operator-error", (e) => e.textContent), "");
      await page.click("#close-settings");
    };
    await importKey(fx.operatorKey);
    await setCode(page, fx.token);
    await page.type("#cf", DEMO_CF);
    await page.click("#verify");
    let v = await verdict(page);
    assert.equal(v.verdict, "valid", v.text);
    assert.equal(v.report.level, 2);
    assert.equal(v.report.operator, "comune-bo");
    assert.match(v.details, /75,5 %/);
    // Stored wrapped, never in clear.
    const stored = await page.evaluate(async () => (await import("./store.js")).get("operator_key"));
    assert.match(stored, /BEGIN ENCRYPTED PRIVATE KEY/);

    await page.click("#open-settings");
    await page.click("#operator-forget");
    // As an operator would: wait until the sheet shows the key is gone
    // (forgetting re-lays the sheet out; a click during that can miss).
    await page.waitForFunction(() => !document.getElementById("operator-import").hidden);
    await page.click("#close-settings");
    await importKey(fx.otherOperatorKey);
    await page.click("#verify");
    v = await verdict(page);
    assert.equal(v.verdict, "not_valid", v.text);
    assert.equal(v.reason, "wrong_audience");
    assertNoLeaks(page, fx.token, DEMO_CF);
    await page.close();
  });

  test("a photo of a code that needs the holder's secret: the page asks for it, then VALIDO", LIMIT, async () => {
    const page = await open(browser, server.url);
    await page.type("#cf", DEMO_CF);
    const input = await page.$("#photo");
    await input.uploadFile(fx.photo);
    await page.waitForSelector("#secret-row:not([hidden])", { timeout: 30_000 });
    assert.equal(await page.$eval("#code-text", (e) => e.value), fx.withSecret);
    assert.equal(await page.$eval("#verdict", (e) => e.dataset.verdict), "", "a verdict before the secret was given");
    // A typo in the secret is caught by its check character.
    const typo = fx.secret.slice(0, -1) + (fx.secret.endsWith("A") ? "B" : "A");
    await page.type("#secret", typo);
    assert.notEqual(await page.$eval("#secret-error", (e) => e.textContent), "");
    await typeInto(page, "#secret", fx.secret);
    const v = await verdict(page);
    assert.equal(v.verdict, "valid", v.text);
    assert.equal(v.report.secret_required, true);
    assertNoLeaks(page, fx.withSecret, DEMO_CF);
    assert.deepEqual(leaks(page.requests, [fx.secret]).map((r) => r.url), [], "a request carried the secret");
    await page.close();
  });
});

describe("keyboard and configuration", () => {
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    browser?.cleanup();
  });

  test("keyboard only: Tab reaches the code, then the CF; Enter verifies", LIMIT, async () => {
    const page = await open(browser, server.url);
    const focused = () => page.evaluate(() => document.activeElement?.id ?? "");
    const tabTo = async (id) => {
      for (let i = 0; i < 12 && (await focused()) !== id; i++) await page.keyboard.press("Tab");
      assert.equal(await focused(), id, `Tab never reached #${id}`);
    };
    await tabTo("scan");
    await tabTo("code-text");
    await page.keyboard.type(fx.code);
    await page.keyboard.press("Tab");
    assert.equal(await focused(), "cf", "the CF comes right after the code");
    await page.keyboard.type(DEMO_CF);
    await page.keyboard.press("Enter");
    const v = await verdict(page);
    assert.equal(v.verdict, "valid", v.text);
    assert.equal(await focused(), "verdict", "the verdict takes the focus");
    // The settings dialog, by keyboard, and its accessibility.
    await page.focus("#open-settings");
    await page.keyboard.press("Enter");
    assert.equal(await focused(), "lists-url");
    assert.deepEqual(await axe(page), [], "accessibility violations in the settings");
    await page.keyboard.press("Escape");
    assert.equal(await page.$eval("#settings", (e) => e.hidden), true);
    await page.close();
  });

  test("?lists=URL sets where the lists are, and is remembered", LIMIT, async () => {
    const lists = `${server.url}lists/`;
    const page = await open(browser, `${server.url}?lists=${encodeURIComponent(lists)}`);
    const stored = await page.evaluate(async () => (await import("./store.js")).get("lists_url"));
    assert.equal(stored, lists);
    assert.equal(await page.$eval("#lists-url", (e) => e.value), lists);
    await setCode(page, fx.code);
    await page.type("#cf", DEMO_CF);
    await page.click("#verify");
    assert.equal((await verdict(page)).verdict, "valid");
    await page.close();
  });
});

describe("lists past their maximum age", () => {
  test("NON VERIFICABILE, and the header warns", LIMIT, async () => {
    const browser = await launch();
    try {
      const page = await open(browser, server.url, { clockOffsetDays: 40 });
      await setCode(page, fx.code);
      await page.type("#cf", DEMO_CF);
      await page.click("#verify");
      const v = await verdict(page);
      assert.equal(v.verdict, "cannot_verify", v.text);
      assert.equal(v.reason, "trust_list_stale");
      assert.match(v.text, /NON VERIFICABILE/);
      assert.match(v.header, /Attenzione: liste scadute/);
      assert.equal(await page.$eval("#lists-status", (e) => e.dataset.state), "old");
      assert.deepEqual(await axe(page), []);
      await screenshot(page, "cannot-verify");
    } finally {
      await browser.close();
      browser.cleanup();
    }
  });
});

describe("camera", () => {
  const withCamera = async (video, fn) => {
    const browser = await launch({ video });
    try {
      const page = await open(browser, server.url);
      await fn(page);
    } finally {
      await browser.close();
      browser.cleanup();
    }
  };

  test("a code held still, CF typed first: VALIDO as soon as the code is read", LIMIT, () => withCamera(fx.video.still, async (page) => {
    await page.type("#cf", DEMO_CF);
    await page.click("#scan");
    const v = await verdict(page);
    assert.equal(v.verdict, "valid", v.text);
    assert.equal(await page.$eval("#code-text", (e) => e.value), fx.code);
    const t = await page.evaluate(() => window.attesta.timings);
    assert.equal(t.frameToVerdict.length, 1);
    assertNoLeaks(page, fx.code, DEMO_CF);
  }));

  test("a moving, tilted code: VALIDO", LIMIT, () => withCamera(fx.video.moving, async (page) => {
    await page.type("#cf", DEMO_CF);
    await page.click("#scan");
    const v = await verdict(page);
    assert.equal(v.verdict, "valid", v.text);
  }));

  test("the code, then the tessera sanitaria's barcode fills the CF: VALIDO", LIMIT, () => withCamera(fx.video.card, async (page) => {
    await page.click("#scan");
    const v = await verdict(page, { timeout: 60_000 });
    assert.equal(v.verdict, "valid", v.text);
    assert.equal(await page.$eval("#cf", (e) => e.value), DEMO_CF);
    assertNoLeaks(page, fx.code, DEMO_CF);
  }));

  test("a QR code of a web link: NON VERIFICABILE, it is not an attestation", LIMIT, () => withCamera(fx.video.link, async (page) => {
    await page.type("#cf", DEMO_CF);
    await page.click("#scan");
    const v = await verdict(page);
    assert.equal(v.verdict, "cannot_verify", v.text);
    assert.equal(v.reason, "bad_prefix");
    assert.match(v.text, /non è un'attestazione/);
  }));
});

describe("offline", () => {
  test("after the first load the server stops; a reload still verifies: VALIDO", LIMIT, async () => {
    const own = await serve(fx.dir);
    const browser = await launch();
    try {
      let page = await open(browser, own.url);
      // The service worker has cached the app once it controls the page.
      await page.waitForFunction(() => navigator.serviceWorker.controller !== null, { timeout: 30_000 });
      await own.stop();
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector("body[data-ready=true]", { timeout: 30_000 });
      await setCode(page, fx.code);
      await page.type("#cf", DEMO_CF);
      await page.click("#verify");
      const v = await verdict(page);
      assert.equal(v.verdict, "valid", v.text);
      assert.match(v.header, /Liste aggiornate al/);
      await page.close();
    } finally {
      await own.stop();
      await browser.close();
      browser.cleanup();
    }
  });
});
