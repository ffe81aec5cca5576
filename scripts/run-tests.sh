#!/usr/bin/env bash
# Runs the unit tests (src/**/*.test.ts, all in one process) and then the end-to-end tests
# (e2e/*.test.ts, one file at a time) with node's test runner, and ends with one summary line
# for both phases.
# (Given all files at once, node sorts them, which would put e2e/ before src/.)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1

REPORTER=${TEST_REPORTER:-tap}
total_pass=0
total_fail=0
total_skip=0
summary=()
skipped=()
todos=()

# The runner's own closing counts: "# pass N" (tap) or "ℹ pass N" (spec).
count() { grep -aE "^(# |ℹ )$1 [0-9]+\$" "$2" | tail -n1 | awk '{ print $3 }'; }

for phase in src e2e; do
  mapfile -t files < <(find "$phase" -name '*.test.ts' 2>/dev/null | sort)
  if ((${#files[@]} == 0)); then continue; fi
  log=$(mktemp /tmp/podctl-test-log.XXXXXX)
  # An earlier run killed midway must not poison this one: start from a clean host, and say so.
  if [[ $phase == e2e ]]; then node --import tsx e2e/harness/clean-host.ts || echo "# e2e: cleaning the host failed (see above)"; fi
  if [[ $phase == src ]]; then
    # Unit tests as `make unit` runs them: two processes of half the files each (scripts/unit-tests.ts).
    make -s --no-print-directory unit TEST_REPORTER="$REPORTER" 2>&1 | tee "$log"
  else
    node --import tsx --test --test-concurrency=1 --test-reporter="$REPORTER" "${files[@]}" 2>&1 | tee "$log"
  fi
  status=${PIPESTATUS[0]}
  pass=$(count pass "$log")
  fail=$(count fail "$log")
  skip=$(count skipped "$log")
  # Which tests were skipped and why: tap's "ok N - name # SKIP reason", spec's "﹣ name (…) # reason".
  mapfile -t why < <(sed -nE -e 's/^ *ok [0-9]+ - (.*) # SKIP ?(.*)$/\1: \2/p' -e 's/^ *﹣ (.*) \([0-9.]+m?s\) # (.*)$/\1: \2/p' "$log")
  skipped+=("${why[@]/#/${phase/src/unit}: }")
  # Known bugs a test marks `todo` (it runs; its failure does not fail the run): said, never hidden.
  mapfile -t known < <(sed -nE 's/^ *(not ok|ok) [0-9]+ - (.*) # TODO ?(.*)$/\1: \2: \3/p' "$log")
  todos+=("${known[@]/#/${phase/src/unit}: }")
  rm -f "$log"
  pass=${pass:-0}
  skip=${skip:-0}
  total_skip=$((total_skip + skip))
  # A runner that died before its summary counts as a failure.
  if [[ -z $fail ]]; then fail=$((status != 0)); fi
  if ((status != 0 && fail == 0)); then fail=1; fi
  total_pass=$((total_pass + pass))
  total_fail=$((total_fail + fail))
  summary+=("${phase/src/unit}: $pass passed, $fail failed, $skip skipped")
done

phases=$(printf '%s; ' "${summary[@]}")
echo "# by phase: ${phases%; }"
for s in "${skipped[@]}"; do echo "# skipped: $s"; done
for t in "${todos[@]}"; do echo "# todo (a known bug): $t"; done
# The closing line CI reads: "tests: N passed, N failed, N skipped" alone on its line.
echo "tests: $total_pass passed, $total_fail failed, $total_skip skipped"
((total_fail == 0))
