#!/usr/bin/env bash
# Debian packages the tests use: OmegaConf, to merge emitted verl configs into verl's own; PyTorch (CPU) +
# OpenBLAS as an independent numerical reference (and the
# library the native matmul addon loads), g++ to build that addon (Node's headers come with the nodejs
# package), Slurm + munge for the cluster test, Chromium for screenshots of rlvrc report's report.html,
# Neovim (its built-in LSP client) for the language server's real-editor test. Skipped when already
# present; needs root (CI runs as root).
set -euo pipefail
need=()
/usr/bin/python3 -c 'import torch' 2>/dev/null || need+=(python3-torch)
/usr/bin/python3 -c 'import omegaconf' 2>/dev/null || need+=(python3-omegaconf)
dpkg -s libopenblas0-pthread >/dev/null 2>&1 || need+=(libopenblas0-pthread)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v slurmctld >/dev/null 2>&1 || need+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need+=(munge)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nvim >/dev/null 2>&1 || need+=(neovim)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "install-system-deps: need root to install ${need[*]}" >&2; exit 1; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
