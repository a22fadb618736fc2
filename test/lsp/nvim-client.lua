-- Run by neovim.test.ts in headless Neovim (0.7+) after the README's init.lua has attached rlvrc lsp to
-- the .rlvr buffer: waits for the server's diagnostics, asks for a hover at HOVER_LINE:HOVER_COL (0-based)
-- through Neovim's client, and writes what Neovim holds as JSON to OUT.
local out = os.getenv('OUT')
local result = { diagnostics = {}, hover = vim.NIL, error = vim.NIL, filetype = vim.bo.filetype, clients = 0 }

local ok, err = pcall(function()
  local bufnr = vim.api.nvim_get_current_buf()
  -- The server publishes after its debounce; Neovim stores them as vim.diagnostic entries.
  local got = vim.wait(60000, function() return #vim.diagnostic.get(bufnr) > 0 end, 50)
  assert(got, 'no diagnostics within 60 s')
  result.clients = #vim.tbl_keys(vim.lsp.buf_get_clients(bufnr))
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col, severity = d.severity, message = d.message, code = d.code })
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) }, position = { line = tonumber(os.getenv('HOVER_LINE')), character = tonumber(os.getenv('HOVER_COL')) } }
  local answers = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', params, 30000)
  for _, a in pairs(answers or {}) do
    if a.result then result.hover = a.result.contents.value end
  end
  vim.lsp.stop_client(vim.lsp.get_active_clients())
end)
if not ok then result.error = tostring(err) end
local f = io.open(out, 'w')
f:write(vim.fn.json_encode(result))
f:close()
vim.cmd('qall!')
