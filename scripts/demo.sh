#!/usr/bin/env bash
# The main job on the embedded default data (run by `make demo`).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY=.venv/bin/python
echo "[demo] 1/3 synthetic data (rendered once, cached in data/synth)"
$PY tools/render_synth.py --out data/synth --train 200 --val 40 --test 40 --size 256 --seed 0
echo "[demo] done"
