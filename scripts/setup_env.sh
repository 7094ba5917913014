#!/usr/bin/env bash
# Create (or reuse) the project virtualenv and install the pinned OpenMMLab stack.
#
# Idempotent: a second run with everything installed finishes in seconds.
# The one slow step is building mmcv 2.0.1 with its compiled ops (about 17 min on
# 2 cores); the wheel is cached under ${MMOCR_VLP_CACHE:-~/.cache/mmocr_vlp}/wheels
# and reused by every later install on this machine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
CACHE="${MMOCR_VLP_CACHE:-$HOME/.cache/mmocr_vlp}"
WHEELS="$CACHE/wheels"
PY="${PYTHON:-python3.11}"
command -v "$PY" >/dev/null 2>&1 || PY=python3
MMCV_VERSION=2.0.1
STAMP="$VENV/.mmocr_vlp_stack"
STACK_ID="torch2.13.0-mmcv${MMCV_VERSION}-mmdet3.1.0-mmocr1.0.1-$(md5sum "$ROOT/requirements.txt" "$ROOT/requirements/tests.txt" 2>/dev/null | md5sum | cut -c1-8)"

log() { printf '[setup] %s\n' "$*"; }

if [ ! -x "$VENV/bin/python" ]; then
  log "creating virtualenv $VENV ($($PY --version))"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"
PIP=("$VPY" -m pip --disable-pip-version-check)
CONS=(-c "$ROOT/requirements/constraints.txt")
# pip, quiet, without the machine's notes about local index folders.
pip_install() { "${PIP[@]}" install -q "$@" 2> >(grep -v "is ignored" >&2); }

if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$STACK_ID" ] \
   && "$VPY" -c "import mmcv.ops, mmocr_vlp" >/dev/null 2>&1; then
  log "environment up to date ($VENV)"
  exit 0
fi

# 1. Build tools and torch first (torch must be present to build mmcv's ops).
#    torch==2.13.0 exactly: a looser pin lets pip pull a multi-GB CUDA build.
pip_install "${CONS[@]}" "setuptools>=77.0.3,<80" wheel "numpy<2" ninja
pip_install "${CONS[@]}" "torch==2.13.0"

# 2. mmcv 2.0.1 with compiled ops, built once and cached.
mkdir -p "$WHEELS"
MMCV_WHEEL="$(ls "$WHEELS"/mmcv-${MMCV_VERSION}-*.whl 2>/dev/null | head -n1 || true)"
if [ -z "$MMCV_WHEEL" ]; then
  BUILD="$(mktemp -d "${TMPDIR:-/tmp}/mmcv-build.XXXXXX")"
  log "no cached mmcv wheel: building mmcv ${MMCV_VERSION} with ops from source"
  log "this happens once per machine and takes ~17 min on 2 cores; cache: $WHEELS"
  # `pip download` of this sdist runs setup.py (needs torch in isolation): fetch it directly
  # from the package index's simple page, checking its sha256.
  "$VPY" - "$BUILD" "$MMCV_VERSION" <<'PY'
import hashlib, os, re, sys, urllib.request
dest, ver = sys.argv[1], sys.argv[2]
index = os.environ.get('PIP_INDEX_URL', 'https://pypi.org/simple').rstrip('/')
html = urllib.request.urlopen(f'{index}/mmcv/', timeout=120).read().decode()
m = re.search(r'href="([^"]*/mmcv-%s\.tar\.gz)#sha256=([0-9a-f]+)"' % re.escape(ver), html)
if not m:
    sys.exit(f'mmcv-{ver}.tar.gz not found on {index}/mmcv/')
url, sha = m.groups()
if url.startswith('/'):
    url = index.split('/simple')[0] + url
data = urllib.request.urlopen(url, timeout=600).read()
if hashlib.sha256(data).hexdigest() != sha:
    sys.exit('sha256 mismatch for ' + url)
open(os.path.join(dest, f'mmcv-{ver}.tar.gz'), 'wb').write(data)
print(f'[setup] downloaded mmcv-{ver}.tar.gz ({len(data) / 1e6:.1f} MB)')
PY
  tar -xzf "$BUILD"/mmcv-${MMCV_VERSION}.tar.gz -C "$BUILD"
  SRC="$BUILD/mmcv-${MMCV_VERSION}"
  # torch 2.13 headers need C++17.
  sed -i 's/-std=c++14/-std=c++17/g' "$SRC/setup.py"
  pip_install "${CONS[@]}" addict packaging pyyaml yapf "mmengine==0.10.7" Pillow
  TOTAL=$(find "$SRC/mmcv/ops/csrc" -name '*.cpp' | wc -l)
  (
    cd "$SRC"
    MMCV_WITH_OPS=1 MAX_JOBS="${MAX_JOBS:-$(nproc)}" FORCE_CUDA=0 \
      "$VPY" -m pip wheel -v --no-deps --no-build-isolation . -w "$BUILD/dist" \
      > "$BUILD/build.log" 2>&1
  ) &
  BPID=$!
  START=$(date +%s)
  while kill -0 "$BPID" 2>/dev/null; do
    sleep 20
    DONE=$(find "$SRC/build" -name '*.o' 2>/dev/null | wc -l)
    EL=$(( $(date +%s) - START ))
    if [ "$DONE" -gt 0 ]; then
      ETA=$(( EL * (TOTAL - DONE) / DONE ))
      [ "$ETA" -lt 0 ] && ETA=0
      log "mmcv build: ${DONE}/${TOTAL} objects compiled, $((EL/60)) min elapsed, ~$((ETA/60)) min left"
    else
      log "mmcv build: preparing, $((EL/60)) min elapsed"
    fi
  done
  if ! wait "$BPID"; then
    tail -n 40 "$BUILD/build.log"
    log "mmcv build FAILED; full log: $BUILD/build.log"
    exit 1
  fi
  cp "$BUILD"/dist/mmcv-${MMCV_VERSION}-*.whl "$WHEELS/"
  MMCV_WHEEL="$(ls "$WHEELS"/mmcv-${MMCV_VERSION}-*.whl | head -n1)"
  log "mmcv wheel cached: $MMCV_WHEEL ($(du -h "$MMCV_WHEEL" | cut -f1))"
  rm -rf "$BUILD"
fi
pip_install --no-deps "$MMCV_WHEEL"

# 3. The rest of the stack, then this package in editable mode.
pip_install "${CONS[@]}" -r "$ROOT/requirements.txt" -r "$ROOT/requirements/tests.txt"
# Legacy develop mode (egg-link): mim and mmengine locate the package (and its
# .mim folder) through the distribution location, which PEP 660 installs hide.
pip_install --no-deps --no-build-isolation --no-use-pep517 -e "$ROOT"

"$VPY" - <<'PY'
import mmocr_vlp  # noqa: F401  (first: makes mmocr importable without torchvision)
import torch, mmcv, mmengine, mmdet, mmocr
from mmcv.ops import MultiScaleDeformableAttention  # noqa: F401
print(f'[setup] torch {torch.__version__} | mmcv {mmcv.__version__} (ops ok) | '
      f'mmengine {mmengine.__version__} | mmdet {mmdet.__version__} | mmocr {mmocr.__version__}')
PY
echo "$STACK_ID" > "$STAMP"
log "environment ready: $VENV"
