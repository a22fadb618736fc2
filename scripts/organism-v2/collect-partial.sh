#!/usr/bin/env bash
# Usage: bash scripts/organism-v2/collect-partial.sh [RUNS_DIR] [DEST]
# Copies the finished cells' artifacts (not checkpoints) and the pretrained models into results/organism-v2/runs/.
set -euo pipefail
cd "$(dirname "$0")/../.."
src=${1:-runs/organism_v2}; dst=${2:-results/organism-v2/runs}
mkdir -p "$dst"
n=0
for d in "$src"/*/; do
  d=${d%/}; b=$(basename "$d")
  [ -f "$d/result.json" ] || continue
  mkdir -p "$dst/$b"
  # Every artifact file at the cell's top level, whatever the runtime writes; only checkpoints/ (a directory) stays.
  find "$d" -maxdepth 1 -type f -exec cp {} "$dst/$b/" \;
  n=$((n+1))
done
for p in "$src"/.pretrained/*/; do
  p=${p%/}; [ -f "$p/COMPLETE" ] || continue
  mkdir -p "$dst/.pretrained/$(basename "$p")"; cp "$p"/* "$dst/.pretrained/$(basename "$p")/"
done
echo "copied $n finished cells"
