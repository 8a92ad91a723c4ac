#!/usr/bin/env bash
# Renders docs/images/lsp-hover.svg: Neovim (docs/editors/neovim.lua) on the ResNet spec in tmux, with
# the server's inlay hints and a hover open, captured with `tmux capture-pane` and drawn as SVG by termtosvg.
# Needs nvim, tmux, termtosvg and python3 (Debian packages) and a built CLI (dotnet build src/InceptionDsl.Cli).
set -euo pipefail
cd "$(dirname "$0")/../.."
dll="$PWD/src/InceptionDsl.Cli/bin/Debug/net10.0/inceptiondsl.dll"
work="$(mktemp -d)"
trap 'tmux kill-session -t idsl-capture 2>/dev/null || true; rm -rf "$work"' EXIT
cat > "$work/demo.lua" <<LUA
vim.g.inceptiondsl_cmd = { 'dotnet', '$dll', 'lsp' }
vim.o.number = true
vim.o.laststatus = 0
vim.o.redrawtime = 20000
vim.cmd('source $PWD/docs/editors/neovim.lua')
-- After the server has answered: the hover of layer2's line in a window on the right, beside the hints.
vim.defer_fn(function()
  vim.fn.search('  Layer:')
  vim.cmd('normal! zt')
  vim.fn.search('name: layer2, use: Layer')
  vim.fn.search('use: Layer', 'c')
  local params = vim.lsp.util.make_position_params()
  local responses = vim.lsp.buf_request_sync(0, 'textDocument/hover', params, 10000) or {}
  for _, response in pairs(responses) do
    if response.result then
      local lines = vim.lsp.util.convert_input_to_markdown_lines(response.result.contents)
      local buf = vim.api.nvim_create_buf(false, true)
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
      vim.bo[buf].filetype = 'markdown'
      local win = vim.api.nvim_open_win(buf, false, { relative = 'editor', row = 1, col = 114, width = 72, height = #lines + 2, border = 'single', style = 'minimal' })
      vim.wo[win].wrap = true
      vim.wo[win].conceallevel = 2
      vim.wo[win].winhighlight = 'Normal:Normal,FloatBorder:Comment'
    end
  end
end, 6000)
LUA
tmux new-session -d -s idsl-capture -x 188 -y 30 "nvim --clean -u $work/demo.lua specs/resnet.inception.yaml"
sleep 12
tmux capture-pane -t idsl-capture -e -p > "$work/screen.ansi"
mkdir -p docs/images
# The captured screen as a one-frame asciicast (termtosvg's input format; it needs a terminal to record), rendered still.
python3 - "$work/screen.ansi" > "$work/screen.cast" <<'PY'
import json, sys
screen = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").replace("\n", "\r\n")
print(json.dumps({"version": 2, "width": 188, "height": 30}))
print(json.dumps([0.1, "o", screen]))
print(json.dumps([1.0, "o", ""]))
PY
termtosvg render "$work/screen.cast" "$work/frames" -s >/dev/null
# The frame holding the whole screen is the largest (the first is the empty terminal).
cp "$(ls -S "$work"/frames/*.svg | head -n 1)" docs/images/lsp-hover.svg
[ -n "${KEEP_SCREEN:-}" ] && cp "$work/screen.ansi" "$KEEP_SCREEN"
echo "wrote docs/images/lsp-hover.svg"
