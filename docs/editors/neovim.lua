-- Neovim config for InceptionDsl specs (0.7 or later): start `inceptiondsl lsp` for every
-- *.inception.yaml / *.inception.yml buffer. Neovim 0.10+ draws inlay hints itself
-- (vim.lsp.inlay_hint.enable); on older versions this file draws them as end-of-line text.
-- Use: nvim -u docs/editors/neovim.lua specs/resnet.inception.yaml   (or copy into your init.lua)
local cmd = vim.g.inceptiondsl_cmd or { 'inceptiondsl', 'lsp' }

local function draw_hints(client, buf)
  local ns = vim.api.nvim_create_namespace('inceptiondsl_hints')
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    range = { start = { line = 0, character = 0 }, ['end'] = { line = vim.api.nvim_buf_line_count(buf), character = 0 } },
  }
  client.request('textDocument/inlayHint', params, function(err, hints)
    if err or not hints then return end
    vim.api.nvim_buf_clear_namespace(buf, ns, 0, -1)
    for _, hint in ipairs(hints) do
      vim.api.nvim_buf_set_extmark(buf, ns, hint.position.line, 0, { virt_text = { { '  ' .. hint.label, 'Comment' } }, virt_text_pos = 'eol' })
    end
  end, buf)
end

vim.api.nvim_create_autocmd({ 'BufReadPost', 'BufNewFile' }, {
  pattern = { '*.inception.yaml', '*.inception.yml' },
  callback = function(args)
    local id = vim.lsp.start_client({
      name = 'inceptiondsl',
      cmd = cmd,
      root_dir = vim.fn.fnamemodify(args.file, ':p:h'),
      init_options = { inlayHints = true },
      on_attach = function(client, buf)
        vim.keymap.set('n', 'K', vim.lsp.buf.hover, { buffer = buf })
        vim.keymap.set('n', 'gd', vim.lsp.buf.definition, { buffer = buf })
        vim.keymap.set('n', 'gr', vim.lsp.buf.references, { buffer = buf })
        vim.keymap.set('n', '<leader>rn', vim.lsp.buf.rename, { buffer = buf })
        vim.keymap.set('n', '<leader>ca', vim.lsp.buf.code_action, { buffer = buf })
        if vim.lsp.inlay_hint then
          vim.lsp.inlay_hint.enable(true, { bufnr = buf })
        else
          draw_hints(client, buf)
          vim.api.nvim_create_autocmd({ 'TextChanged', 'InsertLeave' }, { buffer = buf, callback = function() draw_hints(client, buf) end })
        end
      end,
    })
    vim.lsp.buf_attach_client(args.buf, id)
  end,
})
