// Every published test vector (test-vectors/), run through the WebAssembly
// build of the web app (target/web/app/attesta_wasm_bg.wasm) in Node, must
// give the same result and the same error code as the native runner
// (crates/attesta-verify/tests/vectors.rs), through the same calls the page
// makes: useTrustList, addStatusList, unlockOperatorKey, verify.

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { APP, ROOT } from "./harness.mjs";

const mod = await import(path.join(APP, "attesta_wasm.js"));
mod.initSync({ module: fs.readFileSync(path.join(APP, "attesta_wasm_bg.wasm")) });

const unhex = (h) => Uint8Array.from(Buffer.from(h, "hex"));

/** An unencrypted PKCS#8 PEM of an X25519 key, as `attesta keygen --operator` writes. */
function operatorPem(secretHex) {
  const der = Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), Buffer.from(secretHex, "hex")]);
  return `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`;
}

/** Runs one vector as the page would; returns {stage, report}. */
function run(v) {
  const at = Date.parse(v.verify_at);
  const verifier = new mod.WebVerifier(v.keys.root_public_pem, "");
  try {
    if (v.policy?.revocation === "require") verifier.setRequireRevocation(true);
    // As the native runner: no KDF floor unless the vector gives one (most
    // use cheap test parameters).
    const floor = v.policy?.kdf_floor;
    verifier.setKdfFloor(floor?.m_mib ?? 1, floor?.t ?? 1);
    for (const t of v.trust_lists_hex) {
      const r = JSON.parse(verifier.useTrustList(unhex(t), at, "en"));
      if (!r.ok) return { stage: "trust_list", report: r };
    }
    for (const s of v.status_lists_hex) {
      const r = JSON.parse(verifier.addStatusList(unhex(s), at, "en"));
      if (!r.ok) return { stage: "status_list", report: r };
    }
    if (v.kind === "second_level" && v.verify_as !== "first_level") {
      verifier.unlockOperatorKey(operatorPem(v.operator_secret_hex), "", at);
    }
    // As the native runner: `check` for first-level vectors (and tokens
    // given to a first-level verifier), `check_second_level` for the rest.
    const level = v.kind === "second_level" && v.verify_as !== "first_level" ? 2 : 1;
    const report = verifier.verify(v.qr_text, v.cf_for_verify, v.secret_for_verify ?? undefined, at, level, "en");
    return { stage: "verify", report: JSON.parse(report) };
  } finally {
    verifier.free();
  }
}

function check(v, { stage, report }) {
  const e = v.expected;
  if (e.valid) {
    assert.equal(report.valid, true, `expected valid, got ${report.reason}: ${report.message}`);
    assert.equal(report.verdict, "valid");
    assert.equal(report.issuer, e.issuer);
    assert.equal(report.kid, e.kid);
    assert.equal(report.cti, e.cti_hex);
    assert.equal(Date.parse(report.issued_at), Date.parse(e.issued_at));
    assert.equal(Date.parse(report.expires_at), Date.parse(e.expires_at));
    assert.equal(report.revocation.status, e.revocation);
    if (v.kind === "second_level") {
      assert.deepEqual(report.details, e.details);
      assert.equal(report.operator, e.operator_id);
      assert.equal(report.first_level_cti, e.first_level_cti_hex);
    } else {
      assert.deepEqual(report.attestation, e.attestation);
    }
  } else {
    assert.equal(report.valid, false, `expected ${e.expected_error}, got valid`);
    assert.equal(report.reason, e.expected_error, report.message);
    // Trust and status lists are refused when loaded, as by the native runner.
    if (e.stage === "trust_list" || e.stage === "status_list") assert.equal(stage, e.stage);
    else assert.equal(stage, "verify");
    assert.ok(["not_valid", "cannot_verify"].includes(report.verdict), report.verdict);
  }
}

const files = ["positive", "negative"].flatMap((d) => fs.readdirSync(path.join(ROOT, "test-vectors", d))
  .filter((f) => f.endsWith(".json"))
  .map((f) => path.join(ROOT, "test-vectors", d, f)));

test("there are published vectors", () => {
  assert.ok(files.length >= 60, `${files.length} vectors`);
});

for (const file of files) {
  const v = JSON.parse(fs.readFileSync(file, "utf8"));
  test(`${path.basename(path.dirname(file))}/${path.basename(file)}: ${v.expected.valid ? "valid" : v.expected.expected_error}`, () => {
    check(v, run(v));
  });
}
