#!/usr/bin/env bash
# Usage: bash scripts/collect-cells.sh RUNS_DIR DEST
# Copies a runs directory's finished cells' artifacts (not checkpoints) and its complete pretrained stages into
# DEST (a results/*/runs folder), so that a committed grid can be reported again, or continued, on a fresh clone.
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: bash scripts/collect-cells.sh RUNS_DIR DEST" >&2; exit 2; }
src=$1; dst=$2
[ -d "$src" ] || { echo "collect-cells: no runs directory $src" >&2; exit 1; }
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
