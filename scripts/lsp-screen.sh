#!/usr/bin/env bash
# Screen text of headless Neovim with rlvrc lsp attached, captured with tmux: a hover and a completion menu
# on experiments/quickstart.rlvr. Writes docs/lsp-screen.md. Needs nvim (0.7+) and tmux.
#   bash scripts/lsp-screen.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
s="rlvrc-lsp-screen-$$"
export RLVRC_ROOT="$root"
cd "$root"
tmux new-session -d -s "$s" -x 100 -y 32 "nvim --clean -n -u scripts/lsp-screen.lua experiments/quickstart.rlvr"
trap 'tmux kill-session -t "$s" 2>/dev/null || true' EXIT
sleep 6 # the server starts and publishes its diagnostics
# Hover on `tiny` in `model = tiny` (the train block).
tmux send-keys -t "$s" '/model = tiny' Enter 'w' 'w' ':lua vim.lsp.buf.hover()' Enter
sleep 2
hover="$(tmux capture-pane -p -t "$s")"
# Completion of the fields of the algorithm block, on a new line after `kl = 0`.
tmux send-keys -t "$s" Escape Escape '/kl = 0' Enter 'o' 'k'
tmux send-keys -t "$s" C-x C-o
sleep 2
completion="$(tmux capture-pane -p -t "$s")"
tmux send-keys -t "$s" Escape ':qa!' Enter
{
  echo '# rlvrc lsp in an editor'
  echo
  echo 'Screen text of Neovim 0.7 (headless, in tmux) with `rlvrc lsp` attached through its built-in LSP client,'
  echo 'on `experiments/quickstart.rlvr`. Regenerate with `bash scripts/lsp-screen.sh` (needs nvim and tmux).'
  echo
  echo '## Hover on `tiny` in the train block: the model'"'"'s resolved fields'
  echo
  echo '```'
  printf '%s\n' "$hover"
  echo '```'
  echo
  echo '## Completion (`<C-x><C-o>`) after typing `k` on a new line of the algorithm block'
  echo
  echo '```'
  printf '%s\n' "$completion"
  echo '```'
} > docs/lsp-screen.md
echo "wrote docs/lsp-screen.md"
