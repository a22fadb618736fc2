-- Neovim (0.7+) set-up for scripts/lsp-screen.sh: attach `rlvrc lsp` to .rlvr buffers, completion through
-- the LSP omnifunc (<C-x><C-o>).
local root = os.getenv('RLVRC_ROOT')
vim.o.swapfile = false
vim.o.shortmess = vim.o.shortmess .. 'F'
vim.api.nvim_create_autocmd('BufEnter', {
  pattern = '*.rlvr',
  callback = function(args)
    local id = vim.lsp.start_client({ name = 'rlvrc', cmd = { 'node', '--import', 'tsx', root .. '/src/cli/main.ts', 'lsp', '--stdio' }, cmd_cwd = root, root_dir = root })
    vim.lsp.buf_attach_client(args.buf, id)
    vim.bo[args.buf].omnifunc = 'v:lua.vim.lsp.omnifunc'
  end,
})
