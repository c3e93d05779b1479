#!/usr/bin/env bash
# Proves `npm run new:context` end to end, as CI runs it: clones the current
# commit into a temporary folder (node_modules reused through a symlink),
# scaffolds a throwaway context there, regenerates, and runs what a new
# context must pass: the type check, lint, buf lint and format, the contract
# review (an addition, not a breaking change), its own tests, the tests that
# list every context, and the one that compares every service's migrations
# with its schema. The repository itself is not touched.
#
#   bash runtime/scaffold/try-new-context.sh [name] [new:context options]
#
# The name defaults to "scaffoldcheck" in the talent service; e.g.
# `... try-new-context.sh skillcheck --service people` tries another service.
# Tests run against DATABASE_URL when it is set, else on the embedded PostgreSQL.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
name="${1:-scaffoldcheck}"
shift || true
options=("$@")
service=talent
for ((i = 0; i < ${#options[@]}; i++)); do
  [[ "${options[$i]}" == "--service" ]] && service="${options[$((i + 1))]:-}"
done
step() { printf '\n== new:context (%ss): %s\n' "$SECONDS" "$*"; }
fail() { echo "new:context check failed: $*" >&2; exit 1; }

work="$(mktemp -d "${TMPDIR:-/tmp}/new-context-XXXXXX")"
trap 'rm -rf "$work"' EXIT
commit="$(git -C "$repo" rev-parse HEAD)"
step "a clone of ${commit:0:7} in $work"
git clone -q --no-checkout "$repo" "$work/repo"
cd "$work/repo"
git checkout -q "$commit"
ln -s "$repo/node_modules" node_modules
# The symlink is no file of the project: keep it out of git status and of biome (which follows .gitignore).
echo "/node_modules" >> .git/info/exclude
export PATH="$PWD/node_modules/.bin:$PATH" CHECKPOINT_DISABLE=1

step "scaffold $name ${options[*]}"
npm run -s new:context -- "$name" "${options[@]}"
before="$(git status --porcelain)"
if npm run -s new:context -- "$name" "${options[@]}" 2>"$work/refused"; then fail "a second run with the same name was not refused"; fi
grep -q "exists already" "$work/refused" || fail "unexpected refusal: $(cat "$work/refused")"
[[ "$(git status --porcelain)" == "$before" ]] || fail "a refused run changed files"

step "generate, type check, lint, buf lint"
npm run -s generate >"$work/generate.log" 2>&1 || { cat "$work/generate.log"; fail "npm run generate"; }
tsc --noEmit -p .
biome ci . >"$work/biome.log" 2>&1 || { cat "$work/biome.log"; fail "biome ci"; }
buf lint
buf format --diff --exit-code

step "contract review against the commit: an addition"
npm run -s api:review -- --against HEAD --fail-on-breaking --out "$work/api-review.md"
grep -q "\*\*added\*\* service \`hr\.$name\.v1\." "$work/api-review.md" || fail "the review does not show the new service"

step "its tests, the tests that list every context, and its migration against its model"
listing=(test/contracts test/runtime/authorization-matrix.test.ts test/architecture/architecture.test.ts
  test/runtime/migrations-match-schema.test.ts)
# Only the people server's own list of services is checked by name (health and reflection).
[[ "$service" == people ]] && listing+=(test/runtime/health-and-reflection.test.ts)
vitest run "test/contexts/$name.test.ts" "test/conventions/$name.test.ts" "${listing[@]}"

step "passed: $name"
