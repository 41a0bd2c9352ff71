// Service worker: the app works offline after its first load.
// - The app's own files are cached at install (a new build, with a new
//   BUILD, replaces them) and served from the cache first.
// - Everything else of this origin (the issuer's lists, config.json) goes
//   to the network first and falls back to the last copy.
// Requests never carry a code or a codice fiscale: the page has none to
// send (the code in a "#AT1:…" address is a fragment, which browsers do
// not send).

const BUILD = "__BUILD__";
const APP_CACHE = `attesta-app-${BUILD}`;
const DATA_CACHE = "attesta-data";
const APP_FILES = [
  "./",
  "index.html",
  "app.js",
  "camera.js",
  "engine.js",
  "i18n.js",
  "lists.js",
  "store.js",
  "style.css",
  "icon.svg",
  "manifest.webmanifest",
  "attesta_wasm.js",
  "attesta_wasm_bg.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(APP_CACHE)
      .then((c) => c.addAll(APP_FILES.map((f) => new Request(f, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys
        .filter((k) => k.startsWith("attesta-app-") && k !== APP_CACHE)
        .map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

function isAppFile(url) {
  const scope = new URL(self.registration.scope);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return false;
  const rel = url.pathname.slice(scope.pathname.length);
  return rel === "" || APP_FILES.includes(rel);
}

self.addEventListener("fetch", (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (isAppFile(url)) {
    // Navigations (any query, e.g. ?lists=…) get the page itself.
    const key = req.mode === "navigate" ? "index.html" : req;
    event.respondWith(
      caches.open(APP_CACHE)
        .then((c) => c.match(key, { ignoreSearch: true }))
        .then((hit) => hit ?? fetch(req)),
    );
    return;
  }
  event.respondWith(
    fetch(req)
      .then((res) => {
        if (res.ok) {
          const copy = res.clone();
          caches.open(DATA_CACHE).then((c) => c.put(req, copy));
        }
        return res;
      })
      .catch(() => caches.open(DATA_CACHE)
        .then((c) => c.match(req, { ignoreSearch: true }))
        .then((hit) => hit ?? Response.error())),
  );
});
