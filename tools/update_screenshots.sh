#!/usr/bin/env bash
# Refresh the user guide's screenshots (docs/screenshots) from a UI test run; the normal test
# run writes them to build/screenshots instead and never changes tracked files.
set -euo pipefail
cd "$(dirname "$0")/.."
SPIKEDESK_SCREENSHOTS="$PWD/docs/screenshots" .venv/bin/pytest -q -m ui tests/ui "$@"
