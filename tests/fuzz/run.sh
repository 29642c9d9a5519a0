#!/bin/sh
# Run each libFuzzer target for FUZZ_SECONDS over its seed corpus
# (tests/fuzz/corpus/<target>/, read-only) plus a working corpus in the
# build tree. A crash, leak, timeout or sanitizer report fails the target;
# the reproducer is left in $FUZZ_BUILD/artifacts/.
set -u
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
passed=0
failed=0
mkdir -p "$FUZZ_BUILD/artifacts"
for bin in "$@"; do
	name=$(basename "$bin")
	target=${name#fuzz_}
	seeds=tests/fuzz/corpus/$target
	work=$FUZZ_BUILD/corpus/$target
	mkdir -p "$work"
	log=$FUZZ_BUILD/$name.log
	echo "fuzz $name for ${FUZZ_SECONDS}s (seeds: $seeds)"
	"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$FUZZ_BUILD/artifacts/$name-" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') runs"
	else
		failed=$((failed + 1))
		echo "FAIL $name (rc=$rc; log: $log)"
		grep -E 'ERROR|SUMMARY|artifact' "$log" | head -20
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
