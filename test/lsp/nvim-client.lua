-- Run by neovim.test.ts in headless Neovim (0.7+), with the experiment file as the current buffer:
-- attaches `rlvrc lsp --stdio` through Neovim's own LSP client, waits for the server's diagnostics,
-- asks for a hover at HOVER_LINE:HOVER_COL (0-based), and writes what Neovim holds as JSON to OUT.
local root = os.getenv('RLVRC_ROOT')
local out = os.getenv('OUT')
local result = { diagnostics = {}, hover = vim.NIL, error = vim.NIL }

local function finish()
  local f = io.open(out, 'w')
  f:write(vim.fn.json_encode(result))
  f:close()
  vim.cmd('qall!')
end

local ok, err = pcall(function()
  local bufnr = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'rlvrc',
    cmd = { os.getenv('NODE'), '--import', 'tsx', root .. '/src/cli/main.ts', 'lsp', '--stdio' },
    cmd_cwd = root,
    root_dir = root,
  })
  assert(client_id, 'the client did not start')
  vim.lsp.buf_attach_client(bufnr, client_id)
  -- The server publishes after its debounce; Neovim stores them as vim.diagnostic entries.
  local got = vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  assert(got, 'no diagnostics within 60 s')
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, severity = d.severity, message = d.message, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) })
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = tonumber(os.getenv('HOVER_LINE')), character = tonumber(os.getenv('HOVER_COL')) } }
  local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 30000)
  for _, a in pairs(answers or {}) do
    if a.result then result.hover = a.result.contents.value end
  end
  vim.lsp.stop_client(client_id)
end)
if not ok then result.error = tostring(err) end
finish()
