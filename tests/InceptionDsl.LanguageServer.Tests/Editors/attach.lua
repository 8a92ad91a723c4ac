-- Neovim (0.7 or later) headless: attach `inceptiondsl lsp` to a spec, wait for its diagnostics,
-- ask for a hover, and write what arrived as JSON. Driven by NeovimTests through these variables:
--   INCEPTIONDSL_CLI_DLL   the built inceptiondsl.dll
--   INCEPTIONDSL_SPEC      the spec to open
--   INCEPTIONDSL_HOVER     "line,character" (0-based) to hover at
--   INCEPTIONDSL_OUT       where to write the JSON
local dll = os.getenv('INCEPTIONDSL_CLI_DLL')
local spec = os.getenv('INCEPTIONDSL_SPEC')
local out = os.getenv('INCEPTIONDSL_OUT')
local hover_line, hover_character = os.getenv('INCEPTIONDSL_HOVER'):match('(%d+),(%d+)')

vim.cmd('edit ' .. vim.fn.fnameescape(spec))
local buf = vim.api.nvim_get_current_buf()
local client_id = vim.lsp.start_client({
  name = 'inceptiondsl',
  cmd = { 'dotnet', dll, 'lsp' },
  root_dir = vim.fn.fnamemodify(spec, ':h'),
})
vim.lsp.buf_attach_client(buf, client_id)

local result = { diagnostics = {}, hover = vim.NIL }
vim.wait(90000, function() return #vim.diagnostic.get(buf) > 0 end, 50)
for _, d in ipairs(vim.diagnostic.get(buf)) do
  table.insert(result.diagnostics, { line = d.lnum, character = d.col, code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or vim.NIL, message = d.message })
end

local responses = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
  textDocument = { uri = vim.uri_from_bufnr(buf) },
  position = { line = tonumber(hover_line), character = tonumber(hover_character) },
}, 90000)
for _, response in pairs(responses or {}) do
  if response.result and response.result.contents then
    result.hover = response.result.contents.value or vim.NIL
  end
end

vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.lsp.stop_client(client_id)
vim.wait(5000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 50)
vim.cmd('qa!')
