// The counter's verifier: scan or paste a code, give the holder's codice
// fiscale, get one of three verdicts. Everything runs on this device; the
// only requests are for the app itself and the issuer's public lists.

import * as engine from "./engine.js";
import * as store from "./store.js";
import * as lists from "./lists.js";
import { Camera } from "./camera.js";
import { STRINGS, formatDate, formatDateTime } from "./i18n.js";

const $ = (id) => document.getElementById(id);

const ui = {
  lang: localStorage.getItem("attesta.lang") === "en" ? "en" : "it",
  /** Where the code in #code-text came from: "camera", "photo", "url" or "typed". */
  codeSource: "typed",
  lastReport: null,
  timings: { frameToVerdict: [], scan: [] },
  verifying: false,
};

const t = () => STRINGS[ui.lang];

// Exposed for operators' scripts and the end-to-end tests (read-only use).
window.attesta = {
  get lastReport() { return ui.lastReport; },
  get timings() { return ui.timings; },
  engine,
  camera: null,
  ready: false,
};

// ---------------------------------------------------------------- language

function applyLanguage() {
  const s = t();
  engine.setLanguage(ui.lang);
  document.documentElement.lang = ui.lang;
  for (const el of document.querySelectorAll("[data-i18n]")) {
    const v = s[el.dataset.i18n];
    if (typeof v === "string") el.textContent = v;
  }
  const other = ui.lang === "it" ? "en" : "it";
  const button = $("lang");
  button.textContent = s.lang_switch;
  button.lang = other;
  button.setAttribute("aria-label", s.lang_switch_label);
  document.title = `${s.title} — attesta`;
  renderLists();
  if (ui.lastReport) {
    // The same verification, its report in the other language.
    ui.lastReport = engine.lastReport() ?? ui.lastReport;
    renderVerdict(ui.lastReport, { focus: false });
  }
  renderOperator();
  validateCf({ final: false });
  validateSecret({ final: false });
}

// ---------------------------------------------------------------- lists

let listsInfo = null;

async function renderLists() {
  const el = $("lists-status");
  const s = t();
  listsInfo = await engine.lists();
  const trust = listsInfo?.trust_list;
  if (!trust) {
    el.dataset.state = "none";
    el.textContent = s.lists_none;
    $("lists-detail").textContent = "";
    return;
  }
  // "Updated on": the oldest of the lists in use, which is what limits how
  // current the answers are.
  const dates = [trust.issued_at, ...listsInfo.status_lists.map((l) => l.issued_at)].filter(Boolean);
  const oldest = dates.sort()[0];
  const usable = trust.usable && listsInfo.status_lists.every((l) => l.usable);
  const stale = [trust, ...listsInfo.status_lists].some((l) => /stale/.test(l.reason ?? ""));
  el.dataset.state = usable ? "ok" : stale ? "old" : "bad";
  el.textContent = usable ? s.lists_ok(formatDate(oldest, ui.lang))
    : stale ? s.lists_old(formatDate(oldest, ui.lang)) : s.lists_bad;
  $("lists-detail").textContent = s.lists_detail(
    { sequence: trust.sequence, issued: formatDate(trust.issued_at, ui.lang), expires: formatDate(trust.expires_at, ui.lang) },
    listsInfo.status_lists.length,
  );
}

async function listsUrl() {
  return (await store.get("lists_url")) ?? null;
}

async function refreshLists({ quiet = false } = {}) {
  const base = await listsUrl();
  if (!base) return;
  const detail = $("lists-detail");
  try {
    const problems = await lists.refresh(base);
    if (!quiet) detail.textContent = problems.length ? problems.join(" ") : t().lists_refreshed;
  } catch (e) {
    if (e instanceof lists.RootChanged) {
      detail.textContent = t().lists_root_changed;
    } else if (!quiet) {
      detail.textContent = navigator.onLine === false ? t().lists_offline : t().lists_fetch_failed(e.message);
    }
  }
  await renderLists();
}

// ---------------------------------------------------------------- codice fiscale

function validateCf({ final }) {
  const input = $("cf");
  const err = $("cf-error");
  const value = input.value.replace(/\s+/g, "");
  if (!window.attesta.ready || value === "") {
    err.textContent = "";
    input.removeAttribute("aria-invalid");
    return false;
  }
  const r = engine.checkCf(value);
  if (r.valid) {
    err.textContent = "";
    input.setAttribute("aria-invalid", "false");
    return true;
  }
  // While typing, only errors that more typing cannot fix are shown.
  const early = r.reason === "cf_invalid_character" || r.reason === "cf_bad_month" || value.length > 16;
  const complete = value.length === 16 || (value.length === 11 && /^\d+$/.test(value));
  if (final || early || complete) {
    err.textContent = r.message;
    input.setAttribute("aria-invalid", "true");
  } else {
    err.textContent = "";
    input.removeAttribute("aria-invalid");
  }
  return false;
}

function cfValue() {
  return $("cf").value.replace(/\s+/g, "");
}

/** Whether the code needs the holder's secret (shown by a first check). */
function secretNeeded() {
  return !$("secret-row").hidden;
}

function validateSecret({ final }) {
  const input = $("secret");
  const err = $("secret-error");
  const value = input.value.trim();
  if (!secretNeeded() || !window.attesta.ready || value === "") {
    err.textContent = "";
    input.removeAttribute("aria-invalid");
    return !secretNeeded();
  }
  const r = engine.checkSecret(value);
  const complete = value.replace(/[\s-]/g, "").length >= 9;
  err.textContent = r.valid || !(final || complete) ? "" : r.message;
  input.setAttribute("aria-invalid", String(!r.valid && (final || complete)));
  return r.valid;
}

/**
 * A first look at a new code, without the codice fiscale (no key
 * derivation, so it is quick): whether it needs the holder's secret, and
 * the verdict at once when the code itself is the problem (not an
 * attestation, revoked, lists too old).
 */
async function precheck() {
  const code = $("code-text").value.trim();
  if (!code) return;
  const r = await engine.verify(code, undefined, undefined);
  $("secret-row").hidden = !r.secret_required;
  if (r.reason !== "cf_not_checked") {
    ui.lastReport = r;
    renderVerdict(r, { focus: false });
  }
}

function readyToVerify() {
  return $("code-text").value.trim() !== "" && validateCf({ final: false }) && validateSecret({ final: false });
}

// ---------------------------------------------------------------- verifying

async function verifyNow({ grabbed } = {}) {
  const code = $("code-text").value.trim();
  if (!code) {
    $("code-text").focus();
    return;
  }
  if (ui.verifying) return;
  ui.verifying = true;
  // The previous answer must not stand beside new input while this one
  // is computed: a stale VALIDO would be read as the answer.
  clearVerdict();
  $("verify").setAttribute("aria-busy", "true");
  try {
    const report = await engine.verify(code, cfValue(), secretNeeded() ? $("secret").value : undefined);
    if (report.reason === "secret_required") {
      $("secret-row").hidden = false;
      $("secret").focus();
    }
    ui.lastReport = report;
    renderVerdict(report, { focus: true });
    await renderLists();
    if (grabbed !== undefined) {
      // After the verdict is painted.
      await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
      ui.timings.frameToVerdict.push(performance.now() - grabbed);
    }
  } finally {
    ui.verifying = false;
    $("verify").removeAttribute("aria-busy");
  }
}

// ---------------------------------------------------------------- verdict

const ICONS = {
  valid: '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false"><circle cx="24" cy="24" r="22"/><path d="M13 25l7 7 15-16" fill="none" stroke-width="5" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  not_valid: '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false"><circle cx="24" cy="24" r="22"/><path d="M15 15l18 18M33 15L15 33" fill="none" stroke-width="5" stroke-linecap="round"/></svg>',
  cannot_verify: '<svg viewBox="0 0 48 48" aria-hidden="true" focusable="false"><path d="M24 3L46 43H2z"/><path d="M24 17v13" fill="none" stroke-width="5" stroke-linecap="round"/><circle cx="24" cy="37" r="3"/></svg>',
};

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function leadText(report, verdict) {
  const s = t();
  return report.reason === "bad_prefix" ? s.not_attestation : s.verdict_lead[verdict];
}

function renderVerdict(report, { focus }) {
  const s = t();
  const verdict = report.verdict ?? (report.valid ? "valid" : "cannot_verify");
  const box = $("verdict");
  box.dataset.verdict = verdict;
  box.dataset.reason = report.valid ? "" : (report.reason ?? "");
  box.className = `verdict ${verdict}`;
  box.replaceChildren(
    el("div", { class: "verdict-head" },
      el("span", { class: "icon", role: "img", "aria-label": s.verdict_icon_label[verdict] }),
      el("p", { class: "verdict-word" }, s.verdict[verdict])),
    el("p", { class: "verdict-lead" }, leadText(report, verdict)),
  );
  box.querySelector(".icon").innerHTML = ICONS[verdict];
  if (verdict !== "valid") {
    // The verifier's own message (its catalog, in the page's language).
    box.append(el("p", { class: "verdict-reason" }, el("strong", {}, `${s.why}: `), report.message ?? ""));
  }
  box.append(el("p", { class: "verdict-todo" }, el("strong", {}, `${s.todo}: `), s.todo_by_verdict[verdict]));
  if (verdict === "valid") box.append(el("p", { class: "id-reminder" }, s.id_reminder));

  $("details").replaceChildren(...detailsOf(report));
  $("report-json").textContent = JSON.stringify(report, null, 2);
  $("new-check").hidden = false;
  if (focus) box.focus();
}

function detailsOf(report) {
  const s = t();
  const out = [];
  if (!report.issuer) return out;
  const dl = el("dl", { class: "facts" });
  const row = (k, v) => dl.append(el("dt", {}, k), el("dd", {}, v));
  if (report.valid && report.level === 1) {
    const ul = el("ul", { class: "statuses" });
    for (const st of report.statuses ?? []) ul.append(el("li", {}, st[ui.lang] ?? st.it));
    out.push(el("h3", {}, s.statuses), ul);
    if (report.benefits?.length) {
      const bl = el("ul", { class: "benefits" });
      for (const b of report.benefits) {
        bl.append(el("li", {}, ui.lang === "en" ? b.en : b.it, b.basis ? el("span", { class: "basis" }, ` — ${b.basis}`) : null));
      }
      out.push(el("h3", {}, s.benefits), bl);
    }
  }
  if (report.valid && report.level === 2) {
    const d = report.details ?? {};
    const dd = el("dl", { class: "facts l2" });
    const add = (k, v) => dd.append(el("dt", {}, k), el("dd", {}, v));
    // Percentages travel in hundredths (7550 is 75,50 %).
    if (d.invalidity_percent != null) add(s.invalidity_percent, `${formatPercent(d.invalidity_percent / 100)} %`);
    if (d.blindness_class) add(s.blindness, d.blindness_class);
    if (d.deafness) add(s.deafness, s.yes);
    if (d.handicap) add(s.handicap, d.handicap === "comma3_grave" ? "art. 3 c. 3 (grave)" : "art. 3 c. 1");
    if (d.l68_percent != null) add(s.l68, `${formatPercent(d.l68_percent / 100)} %`);
    if (d.judgement) add(s.judgement, d.judgement);
    out.push(el("h3", {}, s.details_l2), dd, el("p", { class: "help" }, s.confidential));
    row(s.operator, report.operator);
  }
  row(s.issuer, report.issuer);
  row(s.validity, `${s.issued_on(formatDate(report.issued_at, ui.lang))}, ${s.valid_until(formatDate(report.expires_at, ui.lang))}`);
  const rev = report.revocation ?? {};
  row(s.revocation, rev.status === "checked" ? s.revocation_checked(formatDateTime(rev.list_issued_at, ui.lang))
    : rev.status === "not_checked" ? s.revocation_not_checked : s.revocation_none);
  if (report.reference) row(s.reference, report.reference);
  out.push(dl);
  return out;
}

function formatPercent(p) {
  const n = typeof p === "number" ? p : Number(p);
  if (Number.isNaN(n)) return String(p);
  return n.toLocaleString(ui.lang === "it" ? "it-IT" : "en-GB", { maximumFractionDigits: 2 });
}

function clearVerdict() {
  const box = $("verdict");
  box.dataset.verdict = "";
  box.dataset.reason = "";
  box.className = "verdict";
  box.replaceChildren(el("p", { class: "placeholder" }, t().no_result));
  $("details").replaceChildren();
  $("report-json").textContent = "";
  $("new-check").hidden = true;
  ui.lastReport = null;
}

// ---------------------------------------------------------------- camera

let camera = null;

function hint(text) {
  $("camera-hint").textContent = text;
}

async function onFrame(result) {
  const s = t();
  ui.timings.scan.push(result.scanMs);
  if (result.cf && result.cf !== cfValue()) {
    $("cf").value = result.cf;
    validateCf({ final: true });
    hint(s.camera_cf_read);
  }
  if (result.codes.length) {
    const code = result.codes.find((c) => /(^|#)A[TD]\d+:/.test(c)) ?? result.codes[0];
    if (code !== $("code-text").value.trim()) {
      $("code-text").value = code;
      ui.codeSource = "camera";
      await precheck();
    }
  } else if (result.error && !$("code-text").value) {
    const advice = { code_too_small: s.camera_too_small, code_cut_off: s.camera_cut_off, code_blurred: s.camera_blurred };
    hint(advice[result.error.reason] ?? s.camera_looking);
  }
  if ($("code-text").value && ui.codeSource === "camera") {
    if (readyToVerify()) {
      stopCamera();
      await verifyNow({ grabbed: result.grabbed });
    } else {
      hint(secretNeeded() && validateCf({ final: false }) ? s.camera_need_secret : s.camera_need_cf);
    }
  }
}

async function startCamera() {
  if (camera?.running) return;
  clearVerdict();
  $("camera").hidden = false;
  hint(t().camera_starting);
  camera = new Camera($("video"), onFrame);
  window.attesta.camera = camera;
  try {
    await camera.start();
    hint(t().camera_looking);
    $("scan").setAttribute("aria-pressed", "true");
  } catch (e) {
    console.warn("camera", e);
    hint(t().camera_denied);
    camera = null;
  }
}

function stopCamera() {
  camera?.stop();
  $("scan").setAttribute("aria-pressed", "false");
  $("camera").hidden = true;
}

// ---------------------------------------------------------------- photo

async function onPhoto(file) {
  const s = t();
  try {
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    // Phone photos are large; the scanner works on 2000 px at most anyway,
    // except for a last full-size step that 4000 px still serves.
    const scale = Math.min(1, 4000 / Math.max(bitmap.width, bitmap.height));
    const w = Math.round(bitmap.width * scale);
    const h = Math.round(bitmap.height * scale);
    const canvas = document.createElement("canvas");
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.drawImage(bitmap, 0, 0, w, h);
    bitmap.close();
    const r = await engine.scanPhoto(w, h, ctx.getImageData(0, 0, w, h).data);
    if (!r.codes.length) {
      showNote(s.photo_none);
      return;
    }
    $("code-text").value = r.codes.find((c) => /(^|#)A[TD]\d+:/.test(c)) ?? r.codes[0];
    ui.codeSource = "photo";
    await precheck();
    if (readyToVerify()) await verifyNow();
    else $("cf").focus();
  } catch (e) {
    console.warn("photo", e);
    showNote(s.photo_failed);
  }
}

function showNote(text) {
  const box = $("verdict");
  box.dataset.verdict = "";
  box.dataset.reason = "";
  box.className = "verdict";
  box.replaceChildren(el("p", { class: "note" }, text));
}

// ---------------------------------------------------------------- settings

let lastFocus = null;

function openSettings() {
  lastFocus = document.activeElement;
  $("settings").hidden = false;
  document.body.classList.add("modal-open");
  $("main").inert = true;
  $("lists-url").focus();
}

function closeSettings() {
  $("settings").hidden = true;
  document.body.classList.remove("modal-open");
  $("main").inert = false;
  lastFocus?.focus();
}

async function renderOperator() {
  const s = t();
  const wrapped = await store.get("operator_key");
  const state = $("operator-state");
  $("operator-import").hidden = Boolean(wrapped);
  $("operator-unlock").hidden = !wrapped;
  if (!wrapped) state.textContent = s.operator_none;
  else if (!engine.hasOperatorKey()) state.textContent = s.operator_locked;
  else state.textContent = s.operator_unlocked(ui.operatorIds ?? []);
}

async function importOperatorKey() {
  const file = $("operator-file").files[0];
  const err = $("operator-error");
  err.textContent = "";
  if (!file) {
    $("operator-file").focus();
    return;
  }
  try {
    const wrapped = engine.wrapOperatorKey(await file.text(), $("operator-file-pass").value, $("operator-pass").value);
    await store.set("operator_key", wrapped);
    const r = await engine.unlockOperatorKey(wrapped, $("operator-pass").value);
    ui.operatorIds = r.accredited_as.map((o) => o.id);
    $("operator-file").value = "";
    $("operator-file-pass").value = "";
    $("operator-pass").value = "";
    await renderOperator();
  } catch (e) {
    err.textContent = e.message ?? String(e);
  }
}

async function unlockOperatorKey() {
  const err = $("operator-error");
  err.textContent = "";
  try {
    const r = await engine.unlockOperatorKey(await store.get("operator_key"), $("operator-unlock-pass").value);
    ui.operatorIds = r.accredited_as.map((o) => o.id);
    $("operator-unlock-pass").value = "";
    await renderOperator();
  } catch (e) {
    err.textContent = e.message ?? String(e);
  }
}

async function forgetOperatorKey() {
  engine.forgetOperatorKey();
  await store.del("operator_key");
  ui.operatorIds = [];
  // A second-level answer was given with that key.
  clearVerdict();
  await renderOperator();
}

// ---------------------------------------------------------------- start

/** The code in the address (`…/#AT1:…`), taken and then removed from the address bar and history entry. */
function codeFromFragment() {
  const hash = location.hash.slice(1);
  if (!hash) return null;
  history.replaceState(null, "", location.pathname + location.search);
  let code;
  try {
    code = decodeURIComponent(hash);
  } catch {
    code = hash;
  }
  return /^A[TD]\d+:/.test(code) ? code : null;
}

async function configuredListsUrl() {
  const fromQuery = new URLSearchParams(location.search).get("lists");
  if (fromQuery) {
    await store.set("lists_url", new URL(fromQuery, location.href).href);
  } else if (!(await store.get("lists_url"))) {
    // config.json is written by `attesta web`: where the lists are.
    try {
      const res = await fetch("config.json", { cache: "no-cache" });
      if (res.ok) {
        const config = await res.json();
        if (config.lists) await store.set("lists_url", new URL(config.lists, location.href).href);
      }
    } catch {
      // Offline or not deployed with a config: the settings screen it is.
    }
  }
  return store.get("lists_url");
}

function wire() {
  $("lang").addEventListener("click", () => {
    ui.lang = ui.lang === "it" ? "en" : "it";
    localStorage.setItem("attesta.lang", ui.lang);
    applyLanguage();
  });
  $("verify").addEventListener("click", () => {
    validateCf({ final: true });
    validateSecret({ final: true });
    verifyNow();
  });
  $("scan").addEventListener("click", startCamera);
  $("stop-camera").addEventListener("click", stopCamera);
  $("photo").addEventListener("change", (e) => {
    const f = e.target.files[0];
    e.target.value = "";
    if (f) onPhoto(f);
  });
  $("code-text").addEventListener("input", () => {
    ui.codeSource = "typed";
  });
  $("cf").addEventListener("input", () => {
    validateCf({ final: false });
    if (ui.codeSource !== "typed" && readyToVerify()) verifyNow();
  });
  $("secret").addEventListener("input", () => {
    validateSecret({ final: false });
    if (ui.codeSource !== "typed" && readyToVerify()) verifyNow();
  });
  $("secret").addEventListener("blur", () => validateSecret({ final: true }));
  $("code-text").addEventListener("change", () => precheck());
  $("cf").addEventListener("blur", () => validateCf({ final: true }));
  $("cf").addEventListener("keydown", (e) => {
    if (e.key === "Enter") {
      validateCf({ final: true });
      verifyNow();
    }
  });
  $("new-check").addEventListener("click", () => {
    $("code-text").value = "";
    $("cf").value = "";
    $("secret").value = "";
    $("secret-row").hidden = true;
    engine.forgetLast();
    validateCf({ final: false });
    clearVerdict();
    ui.codeSource = "typed";
    $("scan").focus();
  });
  $("open-settings").addEventListener("click", openSettings);
  $("close-settings").addEventListener("click", closeSettings);
  $("settings").addEventListener("keydown", (e) => {
    if (e.key === "Escape") closeSettings();
  });
  $("lists-refresh").addEventListener("click", async () => {
    const url = $("lists-url").value.trim();
    if (url) await store.set("lists_url", new URL(url, location.href).href);
    await refreshLists();
  });
  $("lists-files").addEventListener("change", async (e) => {
    try {
      const problems = await lists.fromFiles([...e.target.files]);
      $("lists-detail").textContent = problems.length ? problems.join(" ") : t().lists_refreshed;
    } catch (err) {
      $("lists-detail").textContent = err instanceof lists.RootChanged ? t().lists_root_changed : err.message;
    }
    e.target.value = "";
    await renderLists();
  });
  $("operator-save").addEventListener("click", importOperatorKey);
  $("operator-unlock-button").addEventListener("click", unlockOperatorKey);
  $("operator-forget").addEventListener("click", forgetOperatorKey);
}

async function main() {
  wire();
  const code = codeFromFragment();
  await engine.ready();
  window.attesta.ready = true;
  applyLanguage();
  const url = await configuredListsUrl();
  if (url) $("lists-url").value = url;
  await engine.rebuild();
  await renderLists();
  if (url && navigator.onLine !== false) await refreshLists({ quiet: true });
  await renderOperator();
  if (code) {
    $("code-text").value = code;
    ui.codeSource = "url";
    await precheck();
    if (readyToVerify()) await verifyNow();
    else $("cf").focus();
  }
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("sw.js").catch((e) => console.warn("service worker", e));
  }
  document.body.dataset.ready = "true";
}

main();
