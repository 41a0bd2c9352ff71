// The WebAssembly verifier (crates/attesta-wasm) and the material it is
// built from. A panic inside WebAssembly cannot be caught there (it traps
// and leaves the instance unusable): every call goes through `call`, which
// on a trap loads a fresh instance, rebuilds the verifier from the stored
// lists and reports the failure as "cannot verify".

import * as store from "./store.js";

let generation = 0;
let wasm = null;      // the module's exports
let verifier = null;  // a WebVerifier, or null without a root key

async function load() {
  generation += 1;
  // A new URL gives a new module instance (and a new WebAssembly memory);
  // the service worker serves it from the cache whatever the query.
  const mod = await import(`./attesta_wasm.js?instance=${generation}`);
  await mod.default({ module_or_path: new URL("./attesta_wasm_bg.wasm", import.meta.url) });
  wasm = mod;
}

/** The page's language ("it" or "en"), for the verifier's messages. */
let lang = "it";
export function setLanguage(l) {
  lang = l;
}

/** Builds the verifier from what is stored. Returns the lists' summary. */
export async function rebuild(now = Date.now()) {
  if (!wasm) await load();
  verifier?.free();
  verifier = null;
  const root = await store.get("root");
  if (!root) return null;
  verifier = new wasm.WebVerifier(root, (await store.get("state")) ?? "");
  const trust = await store.get("trust");
  if (trust) verifier.useTrustList(trust, now, lang);
  const status = (await store.get("status")) ?? {};
  for (const bytes of Object.values(status)) verifier.addStatusList(bytes, now, lang);
  await store.set("state", verifier.state());
  return JSON.parse(verifier.lists(now, lang));
}

function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError;
}

async function call(fn, onTrap) {
  try {
    return fn();
  } catch (e) {
    if (!isTrap(e)) throw e;
    console.error("attesta: the WebAssembly verifier stopped; reloading it", e);
    wasm = null;
    await rebuild();
    return onTrap;
  }
}

const trapReport = () => ({
  valid: false,
  verdict: "cannot_verify",
  reason: "internal_error",
  message: lang === "it"
    ? "il verificatore si è fermato su questo input ed è stato riavviato: inquadrare di nuovo il codice"
    : "the verifier stopped on this input and has been restarted: scan the code again",
  lang,
});

export const ready = () => (wasm ? Promise.resolve() : load());
export const hasVerifier = () => verifier !== null;

/**
 * Verifies `text` with the codice fiscale and the holder's secret as typed
 * (`undefined`: not given). The object of `attesta verify --json`.
 */
export async function verify(text, cf, secret) {
  if (!verifier) return JSON.parse(wasm.noListsReport(lang));
  const out = await call(() => JSON.parse(verifier.verify(text, cf ?? undefined, secret || undefined, Date.now(), 0, lang)), trapReport());
  if (verifier) await store.set("state", verifier.state());
  return out;
}

/** The last report again, in the current language. */
export function lastReport() {
  const r = verifier?.lastReport(lang);
  return r ? JSON.parse(r) : null;
}

export function forgetLast() {
  verifier?.forgetLast();
}

export async function lists(now = Date.now()) {
  return verifier ? JSON.parse(verifier.lists(now, lang)) : null;
}

export async function scanLive(width, height, rgba) {
  return call(() => JSON.parse(wasm.scanLive(width, height, rgba)),
    { codes: [], cf: null, error: { reason: "decoder_failed", message: "" } });
}

export async function scanPhoto(width, height, rgba) {
  return call(() => JSON.parse(wasm.scanPhoto(width, height, rgba)),
    { codes: [], cf: null, error: { reason: "decoder_failed", message: "" } });
}

export function checkCf(text) {
  return JSON.parse(wasm.checkCf(text, lang));
}

export function checkSecret(text) {
  return JSON.parse(wasm.checkSecret(text, lang));
}

/** A throwaway verifier (with a copy of the state), to check downloaded lists before storing them. */
export function probe(rootPem, stateJson = "") {
  return new wasm.WebVerifier(rootPem, stateJson);
}

export function wrapOperatorKey(pem, filePass, storagePass) {
  return wasm.wrapOperatorKey(pem, filePass, storagePass);
}

export function currentLanguage() {
  return lang;
}

export async function unlockOperatorKey(wrapped, pass) {
  if (!verifier) throw new Error("no lists");
  return JSON.parse(verifier.unlockOperatorKey(wrapped, pass, Date.now()));
}

export function forgetOperatorKey() {
  verifier?.forgetOperatorKey();
}

export function hasOperatorKey() {
  return verifier?.hasOperatorKey() ?? false;
}

export function rootKid() {
  return verifier?.rootKid() ?? null;
}
