#!/bin/sh
# The test runner behind `make test`: every unit test binary (cmocka, TAP
# output, one line per test case) and every end-to-end script
# (tests/e2e/*.sh, one test each; each makes its own network namespace).
# Ends with the plain summary line "N passed, N failed".
#
# Environment: BUILD (build dir, default build), ONLY=unit|e2e, and
# TESTS="pattern ..." to run only matching test files.
set -u
BUILD=${BUILD:-build}
ONLY=${ONLY:-}
TESTS=${TESTS:-}
export BUILD
LOGDIR=$BUILD/test-logs
mkdir -p "$LOGDIR"

passed=0
failed=0
failures=""

selected() {
	[ -z "$TESTS" ] && return 0
	for pat in $TESTS; do
		case "$1" in *"$pat"*) return 0 ;; esac
	done
	return 1
}

if [ "$ONLY" != e2e ]; then
	for bin in "$BUILD"/tests/test_*; do
		[ -x "$bin" ] || continue
		name=$(basename "$bin")
		selected "$name" || continue
		log=$LOGDIR/$name.log
		CMOCKA_MESSAGE_OUTPUT=TAP "$bin" >"$log" 2>&1
		rc=$?
		ok=$(grep -c '^ok ' "$log")
		bad=$(grep -c '^not ok ' "$log")
		# A crash or a sanitizer report after the last case still fails.
		if [ $rc -ne 0 ] && [ "$bad" -eq 0 ]; then bad=1; fi
		passed=$((passed + ok))
		failed=$((failed + bad))
		if [ "$bad" -ne 0 ]; then
			failures="$failures $name"
			echo "FAIL $name ($ok passed, $bad failed; log: $log)"
			grep -A20 '^not ok ' "$log" | head -40
			[ $rc -ne 0 ] && tail -30 "$log"
		else
			echo "ok   $name ($ok cases)"
		fi
	done
fi

if [ "$ONLY" != unit ]; then
	for t in tests/e2e/*.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		[ "$name" = lib ] && continue	# the helpers the tests source
		selected "$name" || continue
		log=$LOGDIR/e2e-$name.log
		start=$(date +%s)
		sh "$t" >"$log" 2>&1
		rc=$?
		secs=$(( $(date +%s) - start ))
		if [ $rc -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok   e2e/$name (${secs}s)"
		else
			failed=$((failed + 1))
			failures="$failures e2e/$name"
			echo "FAIL e2e/$name (rc=$rc, ${secs}s; log: $log)"
			tail -40 "$log"
		fi
	done
fi

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
