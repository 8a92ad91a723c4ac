#!/usr/bin/env bash
# Measures the build time of the zoo project (src/InceptionDsl.Models) with the source generator
# and without it (compiling the committed generated-samples/ instead), interleaved, and prints
# the medians and their ratio from one run. Usage: scripts/measure-build-time.sh [rounds]
# Run it on an otherwise idle checkout: it rebuilds src/InceptionDsl.Models in place.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}"
project=src/InceptionDsl.Models/InceptionDsl.Models.csproj

# Build once normally so the generator, Core and packages are ready; then time only the zoo project.
dotnet build "$project" -v q -nologo >/dev/null

time_build() {
  local start end
  start=$(date +%s%N)
  dotnet build "$project" --no-incremental --no-dependencies --no-restore -v q -nologo -p:InceptionDslUseGeneratedSamples="$1" >/dev/null
  end=$(date +%s%N)
  echo $(( (end - start) / 1000000 ))
}

with=() without=()
for ((i = 1; i <= rounds; i++)); do
  with+=("$(time_build false)")
  without+=("$(time_build true)")
  echo "round $i: with generator ${with[-1]} ms, without ${without[-1]} ms" >&2
done
# Leave the normal build in place.
dotnet build "$project" --no-dependencies -v q -nologo >/dev/null

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
m_with=$(median "${with[@]}")
m_without=$(median "${without[@]}")
echo "zoo project build (median of $rounds, --no-incremental): with generator ${m_with} ms, without ${m_without} ms"
awk -v a="$m_with" -v b="$m_without" 'BEGIN { printf "ratio: with/without=%.3f\n", a / b }'
