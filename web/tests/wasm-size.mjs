// What each crate costs in a WebAssembly module: the size of its function
// bodies, grouped by the crate in each function's name (name section).
//
//   node web/tests/wasm-size.mjs target/wasm32-unknown-unknown/wasm/attesta_wasm.wasm

import fs from "node:fs";
import { fileURLToPath } from "node:url";

function leb(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(b & 0x80)) return [result, pos];
  }
}

/** Code bytes per crate, from the function bodies and the name section. */
export function wasmByCrate(file) {
  const buf = fs.readFileSync(file);
  let pos = 8;
  let imports = 0;
  const bodies = [];
  const names = new Map();
  const sections = {};
  while (pos < buf.length) {
    const id = buf[pos++];
    let size;
    [size, pos] = leb(buf, pos);
    const end = pos + size;
    sections[id] = (sections[id] ?? 0) + size;
    if (id === 2) {
      let n;
      let p = pos;
      [n, p] = leb(buf, p);
      for (let i = 0; i < n; i++) {
        let l;
        [l, p] = leb(buf, p); p += l;
        [l, p] = leb(buf, p); p += l;
        const kind = buf[p++];
        if (kind === 0) { [, p] = leb(buf, p); imports++; }
        else if (kind === 1) { p += 1; const f = buf[p++]; [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
        else if (kind === 2) { const f = buf[p++]; [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p += 1; [, p] = leb(buf, p); }
      }
    } else if (id === 10) {
      let n;
      let p = pos;
      [n, p] = leb(buf, p);
      for (let i = 0; i < n; i++) {
        let l;
        const start = p;
        [l, p] = leb(buf, p);
        bodies.push(p - start + l);
        p += l;
      }
    } else if (id === 0) {
      let l;
      let p = pos;
      [l, p] = leb(buf, p);
      const name = buf.subarray(p, p + l).toString();
      p += l;
      if (name === "name") {
        while (p < end) {
          const sub = buf[p++];
          let sl;
          [sl, p] = leb(buf, p);
          const subEnd = p + sl;
          if (sub === 1) {
            let n;
            [n, p] = leb(buf, p);
            for (let i = 0; i < n; i++) {
              let idx;
              let nl;
              [idx, p] = leb(buf, p);
              [nl, p] = leb(buf, p);
              names.set(idx, buf.subarray(p, p + nl).toString());
              p += nl;
            }
          }
          p = subEnd;
        }
      }
    }
    pos = end;
  }
  if (!names.size) {
    console.log("  (no name section: per-crate figures need wasm-bindgen's output before --remove-name-section)");
    return;
  }
  const byCrate = new Map();
  // The crate a (mangled) function name belongs to: legacy `_ZN5rxing…`,
  // v0 `_RNv…C<len><crate>…`, trait impls `_$LT$alloc..vec..Vec…` by the
  // implementing type's crate, and plain names as they are.
  const crateOf = (n) => {
    let m = n.match(/^_ZN(\d+)/);
    if (m) {
      let ident = n.slice(m[0].length, m[0].length + Number(m[1]));
      if (ident.startsWith("_$LT$") || ident.startsWith("$LT$")) {
        ident = ident.replace(/^_?\$LT\$/, "").replace(/^\$RF\$|^\$BP\$|^mut\$u20\$/g, "");
        ident = ident.split(/\.\.|\$/)[0] || "(impl)";
      }
      return ident;
    }
    m = n.match(/C(?:s[0-9A-Za-z]*_)?(\d+)/);
    if (n.startsWith("_R") && m) {
      const start = m.index + m[0].length;
      return n.slice(start, start + Number(m[1]));
    }
    return n.split(/::|\[/)[0] || "?";
  };
  bodies.forEach((size, i) => {
    const c = crateOf(names.get(i + imports) ?? "?");
    byCrate.set(c, (byCrate.get(c) ?? 0) + size);
  });
  const total = bodies.reduce((a, b) => a + b, 0);
  console.log(`== WebAssembly by crate (code section ${total} bytes, data ${sections[11] ?? 0}, names ${sections[0] ?? 0}; raw bytes)`);
  [...byCrate.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.TOP ?? 25)).forEach(([c, s]) => {
    console.log(`  ${c.padEnd(28)} ${String(s).padStart(8)}  ${(100 * s / total).toFixed(1)} %`);
  });
}


if (process.argv[1] === fileURLToPath(import.meta.url)) wasmByCrate(process.argv[2]);
