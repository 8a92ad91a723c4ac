#!/usr/bin/env bash
# End-to-end time of `inceptiondsl check` on one spec (process start to exit), the figure a user waits
# for on every save: target under 0.5 s. Times the built tool (dotnet inceptiondsl.dll: what the installed
# tool runs) and, if `inceptiondsl` is on PATH (dotnet tool install), that too; prints median and best
# of N runs with the machine and date, as a row for docs/performance.md.
# Usage: scripts/bench-cli-startup.sh [runs] [spec]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-10}"
spec="${2:-specs/googlenet.inception.yaml}"
dll=src/InceptionDsl.Cli/bin/Release/net10.0/inceptiondsl.dll
dotnet build src/InceptionDsl.Cli -c Release -v q -nologo >/dev/null

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
measure() {
  local label=$1; shift
  "$@" check "$spec" >/dev/null   # warm the file cache once
  local times=() start end
  for ((i = 1; i <= runs; i++)); do
    start=$(date +%s%N)
    "$@" check "$spec" >/dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
  done
  local best
  best=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
  echo "| $label | check $(basename "$spec") | $(median "${times[@]}") ms | $best ms | $runs |"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | cut -d: -f2 | sed 's/^ *//'), load $(cut -d' ' -f1 /proc/loadavg); $(date -u +%Y-%m-%d)"
echo "| command | work | median | best | runs |"
echo "|---|---|---:|---:|---:|"
measure "dotnet inceptiondsl.dll" dotnet "$dll"
if command -v inceptiondsl >/dev/null; then
  measure "inceptiondsl (installed tool)" inceptiondsl
fi
