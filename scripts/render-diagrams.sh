#!/usr/bin/env bash
# Renders model diagrams the way a person sees them: `inceptiondsl diagram` writes the SVG, headless
# Chromium (Debian's chromium package, installed with apt-get when missing) renders it to PNG.
# Usage: scripts/render-diagrams.sh [OUT_DIR] [MODEL...]   (default: docs/, InceptionV4 GoogLeNet)
# Writes OUT_DIR/<model>.svg and OUT_DIR/<model>.png.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-docs}"
shift || true
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(InceptionV4 GoogLeNet)
mkdir -p "$out"
out="$(cd "$out" && pwd)"

browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then
  echo "chromium not found: installing Debian's chromium package" >&2
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  browser="$(command -v chromium)"
fi

dotnet build src/InceptionDsl.Cli -v q -nologo >/dev/null
cli=(dotnet src/InceptionDsl.Cli/bin/Debug/net10.0/inceptiondsl.dll)
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
for model in "${models[@]}"; do
  svg="$out/$model.svg"
  "${cli[@]}" diagram "$model" -o "$svg"
  # The SVG carries its size; render the page at that size (capped) so nothing is cut off.
  width=$(grep -o 'width="[0-9.]*"' "$svg" | head -1 | tr -dc '0-9.' | cut -d. -f1)
  height=$(grep -o 'height="[0-9.]*"' "$svg" | head -1 | tr -dc '0-9.' | cut -d. -f1)
  html="$profile/$model.html"
  printf '<!doctype html><html><body style="margin:0;background:#fff">%s</body></html>' "$(cat "$svg")" > "$html"
  echo "rendering $model (${width}x${height}) ..." >&2
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --user-data-dir="$profile/chrome" --hide-scrollbars \
    --window-size="$((width + 1)),$((height + 1))" --screenshot="$out/$model.png" "file://$html" >"$profile/chromium.log" 2>&1 || { cat "$profile/chromium.log" >&2; exit 1; }
  [ -s "$out/$model.png" ] || { echo "no PNG for $model" >&2; cat "$profile/chromium.log" >&2; exit 1; }
  echo "wrote $out/$model.png" >&2
done
