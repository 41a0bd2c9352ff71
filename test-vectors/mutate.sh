#!/usr/bin/env bash
# The mutation check: every rule of docs/format.md that the verifier
# enforces is pinned by a published vector (test-vectors/README.md, "Rules
# and the vectors that pin them").
#
#   test-vectors/mutate.sh
#
# Builds attesta-core and attesta-verify with the `mutants` feature, in
# which each rule (attesta_core::rules::Rule) can be switched off, and runs
# crates/attesta-verify/tests/mutations.rs: with every rule on, every
# vector passes; with one rule off at a time (the verifier then makes the
# mistake the rule's row describes), the vectors the README names for it
# must fail. It prints, per rule, every vector that failed. About 1.5
# minutes on two cores once built; .ci/run runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo test --locked -q -p attesta-verify --features mutants --test mutations -- --nocapture "$@"
