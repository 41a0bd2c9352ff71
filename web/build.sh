#!/usr/bin/env bash
# Builds the offline web verifier into target/web/app (or the directory
# given): crates/attesta-wasm compiled to WebAssembly, its JavaScript glue,
# and the static files of web/.
#
#   web/build.sh                 # then: cargo run -p attesta -- web serve --dir DIR
#
# Needs: the wasm32-unknown-unknown target (added with rustup if missing)
# and wasm-bindgen-cli at exactly the version of the wasm-bindgen crate in
# Cargo.lock (installed with `cargo install` if missing). wasm-opt (Debian
# package binaryen) is used when present.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
out="${1:-$root/target/web/app}"
target_dir="${CARGO_TARGET_DIR:-$root/target}"

version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$version" ] || { echo "web/build.sh: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo "== rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

bindgen="$(command -v wasm-bindgen || true)"
if [ -z "$bindgen" ] || [ "$("$bindgen" --version | awk '{print $2}')" != "$version" ]; then
  echo "== cargo install wasm-bindgen-cli $version"
  # Not --locked: the lock file published with 0.2.130 pins a crate that
  # crates.io no longer serves; the tool itself is pinned exactly. Without
  # default features (TLS for the test runner's downloads) and only the
  # one binary: a third of the build time.
  cargo install wasm-bindgen-cli --version "$version" --no-default-features --bin wasm-bindgen
  bindgen="$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")"
fi

echo "== cargo build -p attesta-wasm (wasm32, profile wasm)"
cargo build --locked -p attesta-wasm --target wasm32-unknown-unknown --profile wasm

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
# Without the name section (function names), which only helps debugging:
# web/tests/wasm-size.mjs reads the names from cargo's output instead.
"$bindgen" --target web --no-typescript --remove-name-section --out-dir "$stage" \
  "$target_dir/wasm32-unknown-unknown/wasm/attesta_wasm.wasm"

# wasm-opt, when present, shrinks the module by about 6 % (gzipped). Some
# versions break the module (Debian 12's binaryen 108 points the export of
# wasm-bindgen's externref table at the function table), so the result is
# used only if Node loads it and it answers.
smoke='const m = await import(process.argv[1] + "/attesta_wasm.js");
m.initSync({ module: (await import("node:fs")).readFileSync(process.argv[1] + "/attesta_wasm_bg.wasm") });
if (JSON.parse(m.checkCf("RSSMRA85T10A562S")).valid !== true) process.exit(1);'
if command -v wasm-opt >/dev/null && command -v node >/dev/null; then
  mkdir "$stage/opt"
  cp "$stage/attesta_wasm.js" "$stage/opt/"
  if wasm-opt -O3 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
       --enable-mutable-globals --enable-reference-types --enable-multivalue \
       "$stage/attesta_wasm_bg.wasm" -o "$stage/opt/attesta_wasm_bg.wasm" \
     && node --input-type=module -e "$smoke" "$stage/opt" 2>/dev/null; then
    mv "$stage/opt/attesta_wasm_bg.wasm" "$stage/attesta_wasm_bg.wasm"
    echo "   wasm-opt -O3: $(stat -c %s "$stage/attesta_wasm_bg.wasm") bytes"
  else
    echo "   ($(wasm-opt --version) produced a module that does not load: keeping wasm-bindgen's output)"
  fi
else
  echo "   (wasm-opt or node not found: skipping the optional size optimisation)"
fi

rm -rf "$out.tmp"
mkdir -p "$out.tmp"
cp web/index.html web/*.js web/style.css web/icon.svg web/manifest.webmanifest "$out.tmp/"
cp "$stage/attesta_wasm.js" "$stage/attesta_wasm_bg.wasm" "$out.tmp/"
# The service worker's cache is named after the build, so that a new
# build replaces the cached app.
build_id=$(cd "$out.tmp" && cat $(ls | sort) | sha256sum | cut -c1-16)
sed -i "s/__BUILD__/$build_id/" "$out.tmp/sw.js"
rm -rf "$out"
mv "$out.tmp" "$out"
echo "== web app in $out (build $build_id)"
ls -l "$out"
