#!/usr/bin/env bash
# One command after installing (docs/install.md): mmcv's CUDA deformable attention
# against its PyTorch path, then a few training iterations of every paper config with
# and without AMP (images/s, peak GPU memory). Without a GPU the GPU-only parts print
# "no GPU: skipped" and the rest still runs. Arguments go to tools/gpu_check.py
# (--batch, --iters, --configs GLOB..., --no-amp, --build-only).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
[ -x "$PY" ] || PY=python
cd "$ROOT"
exec "$PY" tools/gpu_check.py "$@"
