#!/usr/bin/env bash
# The main job on the embedded default data (run by `make demo`):
#   1. render the synthetic scene-text set (once; cached in data/synth),
#   2. oCLIP pre-training on its transcription-only view with `mim train`
#      (CPU config, a few minutes), which exports an mmocr CLIPResNet backbone,
#   3. draw what the model attends to for a few validation images.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PY="$ROOT/.venv/bin/python"
MIM="$ROOT/.venv/bin/mim"
CFG=configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py
# The detector CPU configs read the exported backbone from this work dir.
WORK=work_dirs/oclip_resnet-tiny_4e_synth-cpu
OUT=outputs/demo
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"

echo "[demo] 1/3 synthetic data -> data/synth (rendered once, then cached)"
"$PY" tools/render_synth.py --out data/synth --train 240 --val 40 --test 40 \
  --size 256 --seed 0

echo "[demo] 2/3 oCLIP pre-training: mim train mmocr_vlp $CFG"
RESUME=()
[ -f "$WORK/last_checkpoint" ] && RESUME=(--resume)
"$MIM" train mmocr_vlp "$CFG" --work-dir "$WORK" "${RESUME[@]}"

echo "[demo] 3/3 attention maps (oCLIP Fig. 3/4 style) -> $OUT"
CKPT="$(cat "$WORK/last_checkpoint")"
mkdir -p "$OUT"
"$PY" tools/visualize_attention.py --config "$CFG" --checkpoint "$CKPT" \
  --img "$(ls data/synth/imgs/val/*.jpg | head -n 1)" \
  --words "$("$PY" - <<'PY'
import json
d = json.load(open('data/synth/val_full.json'))['data_list'][0]
print(','.join(i['text'] for i in d['instances'] if not i.get('ignore'))[:200])
PY
)" --out "$OUT"

echo
echo "[demo] outputs:"
echo "  synthetic data        $ROOT/data/synth  (views: *_full/_textonly/_partialP/_points.json)"
echo "  checkpoint            $CKPT"
echo "  exported backbone     $ROOT/$WORK/backbone_clipresnet.pth  (mmocr CLIPResNet keys)"
echo "  training log          $(ls -d "$ROOT/$WORK"/2*/ | tail -n 1)"
echo "  attention pictures    $ROOT/$OUT"
ls "$OUT" | sed 's/^/      /'
echo "[demo] next: fine-tune a detector from that backbone and evaluate it, e.g."
echo "  $MIM train mmocr_vlp configs/textdet/dbnet/dbnet_resnet-tiny-oclip-vlp_fpnc_10e_synth-cpu.py"
echo "  (PSENet, FCENet and TextBPN have the same kind of config; see README)"
