// The issuer's published material: fetched from the configured address
// (lists.json names the files), or loaded from files, checked by the
// verifier before it replaces what is stored. A list that fails its check
// never replaces a good one; the pinned root key never changes silently.

import * as engine from "./engine.js";
import * as store from "./store.js";

export class RootChanged extends Error {}

async function fetchOk(url, kind) {
  // "no-cache": the browser revalidates with If-None-Match /
  // If-Modified-Since, so an unchanged list costs a 304.
  const res = await fetch(url, { cache: "no-cache", credentials: "omit", referrerPolicy: "no-referrer" });
  if (!res.ok) throw new Error(`${new URL(url).pathname}: HTTP ${res.status}`);
  return kind === "json" ? res.json() : kind === "text" ? res.text() : new Uint8Array(await res.arrayBuffer());
}

/** Downloads and installs the lists under `base`. Returns a list of problems (empty when all went well). */
export async function refresh(base) {
  const baseUrl = new URL(base, location.href);
  const index = await fetchOk(new URL("lists.json", baseUrl), "json");
  if (typeof index.root !== "string" || typeof index.trust !== "string") {
    throw new Error("lists.json: missing root or trust");
  }
  const root = await fetchOk(new URL(index.root, baseUrl), "text");
  const trust = await fetchOk(new URL(index.trust, baseUrl), "bytes");
  const status = {};
  for (const name of index.status_lists ?? []) {
    status[name] = await fetchOk(new URL(name, baseUrl), "bytes");
  }
  return install(root, trust, status);
}

/** Installs lists chosen as files: a PEM root key, the trust list and status lists. */
export async function fromFiles(files) {
  let root = null;
  let trust = null;
  const status = {};
  for (const f of files) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    const text = new TextDecoder().decode(bytes.slice(0, 64));
    if (text.includes("-----BEGIN PUBLIC KEY-----")) root = new TextDecoder().decode(bytes);
    else if (f.name === "lists.json") continue;
    else if (/trust/i.test(f.name)) trust = bytes;
    else status[f.name] = bytes;
  }
  root ??= await store.get("root");
  trust ??= await store.get("trust");
  if (!root || !trust) throw new Error("root.key.pub and trust.cwt are needed");
  return install(root, trust, status, { merge: true });
}

async function install(root, trust, status, { merge = false } = {}) {
  const problems = [];
  const now = Date.now();
  const storedRoot = await store.get("root");
  if (storedRoot && storedRoot.trim() !== root.trim()) throw new RootChanged();
  await engine.ready();

  // The trust list, checked with this device's state (rollback, denylist,
  // clock floor). A refused list replaces nothing, unless there is nothing.
  const probe = engine.probe(root, (await store.get("state")) ?? "");
  try {
    const check = JSON.parse(probe.checkTrustList(trust, now, engine.currentLanguage()));
    const current = await store.get("trust");
    if (check.ok || !current) {
      await store.set("root", root);
      await store.set("trust", trust);
    }
    if (!check.ok) problems.push(`trust.cwt: ${check.message}`);

    // Status lists, each checked against the trust list now in force.
    probe.useTrustList(await store.get("trust"), now, engine.currentLanguage());
    const previous = (await store.get("status")) ?? {};
    const next = merge ? { ...previous } : {};
    for (const [name, bytes] of Object.entries(status)) {
      const c = JSON.parse(probe.checkStatusList(bytes, now, engine.currentLanguage()));
      // A refused list is still kept when there is no older one, so that
      // verifications say "cannot verify" instead of "not checked".
      next[name] = c.ok || !previous[name] ? bytes : previous[name];
      if (!c.ok) problems.push(`${name}: ${c.message}`);
    }
    await store.set("status", next);
  } finally {
    probe.free();
  }
  await store.set("refreshed_at", new Date(now).toISOString());
  await engine.rebuild(now);
  return problems;
}
