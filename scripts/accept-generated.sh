#!/usr/bin/env bash
# Accepts intended changes of generated code in one go, after changing a spec, an emitter or a
# diagnostic: rewrites generated-samples/ (INCEPTIONDSL_UPDATE_SAMPLES=1) and moves every changed
# snapshot (tests/**/__snapshots__/__mismatch__/*.snap) over the stored one, writing missing ones,
# then runs both tests again to confirm and lists what changed. Review `git diff` before committing.
# Usage: scripts/accept-generated.sh        (builds tests/InceptionDsl.Tests first)
set -euo pipefail
cd "$(dirname "$0")/.."
unset SNAPSHOOTER_STRICT_MODE   # strict mode (CI) refuses to write snapshots
project=tests/InceptionDsl.Tests
filter="FullyQualifiedName~GeneratedSamples|FullyQualifiedName~SnapshotTests"

dotnet build "$project" -v q -nologo >/dev/null
# 1. Run both: the samples are rewritten, changed snapshots land in __mismatch__/ (those tests fail here).
INCEPTIONDSL_UPDATE_SAMPLES=1 dotnet test "$project" --no-build --filter "$filter" -v q >/dev/null || true
# 2. Accept the changed snapshots.
moved=0
while IFS= read -r -d '' snap; do
  dir=$(dirname "$(dirname "$snap")")
  mv "$snap" "$dir/"
  moved=$((moved + 1))
done < <(find tests -path '*/__snapshots__/__mismatch__/*.snap' -print0)
find tests -type d -path '*/__snapshots__/__mismatch__' -empty -delete
echo "accepted $moved changed snapshot(s)"
# 3. Both must pass now.
dotnet test "$project" --no-build --filter "$filter" -v q --nologo
git status --short -- generated-samples tests
