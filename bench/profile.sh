#!/bin/sh
# bench/profile.sh - where sigd and ccd spend their time on the basic call
# (docs/performance.md, "Profile"). Two views, in a private network
# namespace like bench/bench.sh:
#
#   perf      sampling (cpu-clock, user space: the namespace's user has no
#             right to kernel samples) of sigd and ccd while sipp makes
#             PROF_RATE calls/s for PROF_S s: self time per function and
#             per source line.
#   callgrind sigd under valgrind for PROF_CG_CALLS calls at a low rate:
#             instructions per call (exact, unlike CPU time on a shared
#             machine) and the functions and lines that execute them.
#
#   BUILD=build sh bench/profile.sh          (both, about 2 minutes)
#   PROF_TOOLS=perf sh bench/profile.sh
#
# Output in $BUILD/bench/profile/: perf.*.txt, callgrind.calls.out,
# callgrind.txt (functions, self), callgrind.incl.txt (inclusive),
# hotlines.txt (source lines).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD
if [ -z "${BENCH_IN_NETNS:-}" ]; then
	BENCH_IN_NETNS=1 exec unshare -rn sh "$0" "$@"
fi
ip link set lo up || exit 1
W=$BUILD/bench/profile
rm -rf "$W"
mkdir -p "$W"
RES=$W/results.txt
. "$HERE/lib.sh"
trap 'stop_all' EXIT
trap 'exit 130' INT TERM

PROF_TOOLS=${PROF_TOOLS:-perf callgrind}
PROF_RATE=${PROF_RATE:-1000}
PROF_S=${PROF_S:-20}
PROF_CG_CALLS=${PROF_CG_CALLS:-2000}
PROF_CG_RATE=${PROF_CG_RATE:-50}
OURS_SETTLE_S=35
KAM_SETTLE_S=12
say "profile: load average $(cut -d' ' -f1-3 /proc/loadavg)"

for tool in $PROF_TOOLS; do
	case $tool in
	perf)
		command -v perf >/dev/null 2>&1 || { say "perf not found"; continue; }
		up ours || exit 1
		uac warmup "$PORT" 500 1000
		sleep 1
		n=$((PROF_RATE * PROF_S))
		sipp_ports
		mkdir -p "$W/perf.uac"
		(cd "$W/perf.uac" && exec sipp "$B_IP:$PORT" -sf "$HERE/sipp/uac.xml" -i "$B_IP" \
			-p "$B_PORT_UAC" -cp "$B_CP" -mp "$B_MP" -r "$PROF_RATE" -m "$n" -d 0 -l 50000 \
			-nostdin -pause_msg_ign -buff_size 4194304 -timeout 300s >out.log 2>&1) &
		uac_pid=$!
		started "$uac_pid"
		sleep 2
		perf record -q -e cpu-clock -F 4999 -o "$W/perf.data" -p "$SIGD_PID,$CCD_PID" \
			-- sleep $((PROF_S - 4)) >"$W/perf.record.log" 2>&1
		wait "$uac_pid"
		say "perf: $(cat "$W/perf.record.log" | tr '\n' ' ')"
		down
		for c in sigd ccd; do
			[ $c = sigd ] && pid=$SIGD_PID || pid=$CCD_PID
			perf report -i "$W/perf.data" --stdio --no-children --pid "$pid" --percentage relative \
				--sort comm 2>/dev/null | grep -v '^#' | grep '%' >"$W/perf.$c.threads.txt"
			perf report -i "$W/perf.data" --stdio --no-children --pid "$pid" --percentage relative \
				--sort dso,sym 2>/dev/null | grep -v '^#' | grep '%' | head -40 >"$W/perf.$c.txt"
			perf report -i "$W/perf.data" --stdio --no-children --pid "$pid" --percentage relative \
				--sort srcline 2>/dev/null | grep -v '^#' | grep '%' | head -40 >"$W/perf.$c.lines.txt"
		done
		say "perf, sigd, samples by thread:"
		cat "$W/perf.sigd.threads.txt"
		say "perf, sigd, self time by function (top 25):"
		head -25 "$W/perf.sigd.txt"
		say "perf, sigd, self time by source line (top 25; ??:0 = code without line information):"
		head -25 "$W/perf.sigd.lines.txt"
		say "perf, ccd, samples by thread:"
		cat "$W/perf.ccd.threads.txt"
		say "perf, ccd, self time by function (top 15):"
		head -15 "$W/perf.ccd.txt"
		;;
	callgrind)
		command -v valgrind >/dev/null 2>&1 || { say "valgrind not found"; continue; }
		start_uas || exit 1
		env SIPLOG_BEND=stderr "$BUILD/ccd" -f -u -s "$B_IP:$B_PORT_UAS" --bind "$B_CCD_BIND" \
			>>"$W/ccd.log" 2>&1 &
		CCD_PID=$!
		started "$CCD_PID"
		wait_tcp "${B_CCD_BIND##*:}" || exit 1
		valgrind --tool=callgrind --callgrind-out-file="$W/callgrind.out" \
			"$BUILD/sigd" -f -l "$B_IP" -p "$B_PORT_OURS" --ccd "$B_CCD_BIND" --node-id prof \
			>>"$W/sigd.log" 2>&1 &
		SIGD_PID=$!
		started "$SIGD_PID"
		i=0
		while ! grep -q 'welcomed node' "$W/sigd.log" 2>/dev/null; do
			[ $i -ge 300 ] && { say "sigd under valgrind did not start"; exit 1; }
			sleep 0.1
			i=$((i + 1))
		done
		# Count only the calls: a warm-up (lazy binding, first
		# allocations), then zero the counters, and dump them after the
		# calls and the 32 s linger of their legs.
		uac cgwarm "$B_PORT_OURS" "$PROF_CG_RATE" 100
		callgrind_control -z "$SIGD_PID" >/dev/null 2>&1 || say "callgrind_control -z failed"
		uac cg "$B_PORT_OURS" "$PROF_CG_RATE" "$PROF_CG_CALLS"
		say "callgrind: $PROF_CG_CALLS calls at $PROF_CG_RATE/s, rc=$RC, $(stat cg 'SuccessfulCall(C)') ok, $(stat cg 'FailedCall(C)') failed; waiting ${OURS_SETTLE_S}s for the legs' linger"
		sleep "$OURS_SETTLE_S"
		callgrind_control -d "$SIGD_PID" >/dev/null 2>&1 || say "callgrind_control -d failed"
		sleep 1
		stop_all
		cg=$(ls "$W"/callgrind.out.* 2>/dev/null | head -1)
		[ -n "$cg" ] || cg=$W/callgrind.out
		mv "$cg" "$W/callgrind.calls.out"
		cg=$W/callgrind.calls.out
		callgrind_annotate --inclusive=no "$cg" 2>/dev/null | head -60 >"$W/callgrind.txt"
		callgrind_annotate --inclusive=yes "$cg" 2>/dev/null | head -60 >"$W/callgrind.incl.txt"
		python3 "$HERE/report.py" hotlines "$cg" 30 >"$W/hotlines.txt"
		total=$(awk '/^(summary|totals):/ { print $2; exit }' "$cg")
		say "callgrind: sigd executed $total instructions for the calls: $((total / PROF_CG_CALLS)) per call (their linger included)"
		say "callgrind, sigd, self instructions by function (top 25):"
		grep -E '^ *[0-9,]+ \(' "$W/callgrind.txt" | head -25
		say "callgrind, sigd, self instructions by source line (top 30):"
		cat "$W/hotlines.txt"
		;;
	esac
done
