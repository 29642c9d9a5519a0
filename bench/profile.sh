#!/bin/sh
# bench/profile.sh - where sigd and ccd spend their time on the basic call
# (docs/performance.md, "Profile"). Two views, in a private network
# namespace like bench/bench.sh:
#
#   perf      sampling (cpu-clock, user space: the namespace's user has no
#             right to kernel samples) of sigd and ccd while sipp makes
#             PROF_RATE calls/s for PROF_S s: self time per function and
#             per source line.
#   callgrind sigd and ccd under valgrind for PROF_CG_CALLS calls at a low
#             rate: instructions per call (exact, unlike CPU time on a
#             shared machine) and the functions and lines that execute them.
#   callgrind-kam  the same calls through Kamailio ("qm" and TLSF memory
#             managers), all its processes under callgrind: instructions per
#             call to compare with ours.
#   massif    sigd and ccd under valgrind's heap profiler with PROF_HOLD
#             calls held open: heap bytes per held call (malloc's own
#             overhead included, freed memory not: RSS keeps what malloc
#             does not give back) and the allocation sites that hold them.
#
#   BUILD=build sh bench/profile.sh          (all four, about 15 minutes)
#   PROF_TOOLS=perf sh bench/profile.sh
#
# Output in $BUILD/bench/profile/: perf.*.txt, callgrind.{sigd,ccd}.calls.out,
# callgrind.*.txt (functions, self), callgrind.*.incl.txt (inclusive),
# hotlines.*.txt (source lines), massif.*.{base,held}[.txt].
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

PROF_TOOLS=${PROF_TOOLS:-perf callgrind callgrind-kam massif}

# vg_start TOOL: ccd and sigd, both under valgrind's TOOL (outputs in
# $W/TOOL.ccd.out and $W/TOOL.sigd.out), sigd linked to ccd.
vg_start() {
	valgrind --tool="$1" "--$1-out-file=$W/$1.ccd.out" \
		"$BUILD/ccd" -f -u -s "$B_IP:$B_PORT_UAS" --bind "$B_CCD_BIND" >>"$W/ccd.log" 2>&1 &
	CCD_PID=$!
	started "$CCD_PID"
	wait_tcp "${B_CCD_BIND##*:}" 60 || { say "ccd under valgrind did not start"; return 1; }
	: >"$W/sigd.log"
	valgrind --tool="$1" "--$1-out-file=$W/$1.sigd.out" \
		"$BUILD/sigd" -f -l "$B_IP" -p "$B_PORT_OURS" --ccd "$B_CCD_BIND" --node-id prof \
		>>"$W/sigd.log" 2>&1 &
	SIGD_PID=$!
	started "$SIGD_PID"
	i=0
	while ! grep -q 'welcomed node' "$W/sigd.log"; do
		[ $i -ge 600 ] && { say "sigd under valgrind did not link to ccd"; return 1; }
		sleep 0.1
		i=$((i + 1))
	done
}
# cg_zero PID... / cg_dump PID...: zero / dump callgrind's counters.
cg_zero() {
	for c_p in "$@"; do
		callgrind_control -z "$c_p" >/dev/null 2>&1 || say "callgrind_control -z $c_p failed"
	done
}
cg_dump() {
	for c_p in "$@"; do
		callgrind_control -d "$c_p" >/dev/null 2>&1 || say "callgrind_control -d $c_p failed"
	done
}
# cg_total FILE...: instructions (Ir) in callgrind outputs, summed (each
# file says it twice: "summary:" in its header, "totals:" at its end).
cg_total() {
	cat "$@" 2>/dev/null | awk '/^summary:/ { s += $2 } END { printf "%.0f\n", s }'
}

PROF_RATE=${PROF_RATE:-1000}
PROF_S=${PROF_S:-20}
# Calls counted by callgrind, ours and Kamailio alike: a low rate, at which
# "qm" Kamailio under valgrind still keeps up.
PROF_CG_CALLS=${PROF_CG_CALLS:-600}
PROF_CG_RATE=${PROF_CG_RATE:-10}
PROF_HOLD=${PROF_HOLD:-3000}
PROF_HOLD_RATE=${PROF_HOLD_RATE:-50}
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
		[ -s "$W/perf.record.log" ] && say "perf: $(tr '\n' ' ' <"$W/perf.record.log")"
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
		vg_start callgrind || exit 1
		# Count only the calls: a warm-up (lazy binding, first
		# allocations); then, counters zeroed, an idle window as long as
		# the calls and their linger (heartbeats, timers: dump 1); then,
		# zeroed again, the calls and the 32 s linger of their legs
		# (dump 2). Per call = (dump 2 - dump 1) / calls.
		uac cgwarm "$B_PORT_OURS" "$PROF_CG_RATE" 100
		sleep "$OURS_SETTLE_S"
		cg_zero "$SIGD_PID" "$CCD_PID"
		sleep $((PROF_CG_CALLS / PROF_CG_RATE + OURS_SETTLE_S))
		cg_dump "$SIGD_PID" "$CCD_PID"
		cg_zero "$SIGD_PID" "$CCD_PID"
		uac cg "$B_PORT_OURS" "$PROF_CG_RATE" "$PROF_CG_CALLS"
		say "callgrind: $PROF_CG_CALLS calls at $PROF_CG_RATE/s, rc=$RC, $(stat cg 'SuccessfulCall(C)') ok, $(stat cg 'FailedCall(C)') failed; waiting ${OURS_SETTLE_S}s for the legs' linger"
		sleep "$OURS_SETTLE_S"
		cg_dump "$SIGD_PID" "$CCD_PID"
		sleep 1
		stop_all
		for d in sigd ccd; do
			mv "$W/callgrind.$d.out.1" "$W/callgrind.$d.idle.out"
			mv "$W/callgrind.$d.out.2" "$W/callgrind.$d.calls.out"
			cg=$W/callgrind.$d.calls.out
			callgrind_annotate --auto=no --inclusive=yes "$cg" 2>/dev/null | head -60 >"$W/callgrind.$d.incl.txt"
			python3 "$HERE/report.py" hotlines "$cg" 40 fn >"$W/callgrind.$d.txt"
			python3 "$HERE/report.py" hotlines "$cg" 40 >"$W/hotlines.$d.txt"
			python3 "$HERE/report.py" hotlines "$cg" 10 obj >"$W/callgrind.$d.objs.txt"
			idle=$(cg_total "$W/callgrind.$d.idle.out")
			total=$(cg_total "$cg")
			res "cg.$d.idle" "$idle"
			res "cg.$d.calls" "$total"
			say "callgrind: $d executed $total instructions for the calls and their linger, $idle when idle as long: $(((total - idle) / PROF_CG_CALLS)) per call"
		done
		for d in sigd ccd; do
			say "callgrind, $d, self instructions by binary:"
			cat "$W/callgrind.$d.objs.txt"
		done
		say "callgrind, sigd, self instructions by function (top 25):"
		head -25 "$W/callgrind.sigd.txt"
		say "callgrind, sigd, self instructions by source line (top 30):"
		cat "$W/hotlines.sigd.txt"
		say "callgrind, ccd, self instructions by function (top 15):"
		head -15 "$W/callgrind.ccd.txt"
		;;
	callgrind-kam)
		# The same calls through Kamailio, every process under callgrind:
		# user-space instructions per call, ours against Kamailio, free of
		# the machine's speed drift (kernel time is not counted, for
		# either). Both memory managers: Debian's default "qm" (whose
		# first-fit search of a 1 GB heap is most of its cost) and TLSF.
		command -v valgrind >/dev/null 2>&1 || { say "valgrind not found"; continue; }
		for v in kam kamt; do
			opts=""
			[ $v = kamt ] && opts="-x tlsf -X tlsf"
			start_uas || exit 1
			rm -rf "$W/kamrun" "$W/cg$v"
			mkdir -p "$W/kamrun" "$W/cg$v"
			# shellcheck disable=SC2086 # opts is an option list
			valgrind --tool=callgrind --trace-children=yes --callgrind-out-file="$W/cg$v/callgrind.%p" \
				kamailio -f "$HERE/kamailio.cfg" -DD -E -n 2 -m 1024 $opts -Y "$W/kamrun" \
				-P "$W/kamrun/kamailio.pid" -A "CTL_SOCK=\"unix:$W/kamrun/kamailio_ctl\"" \
				>>"$W/kamailio.$v.log" 2>&1 &
			KAM_PID=$!
			started "$KAM_PID"
			wait_udp "$B_PORT_KAM" 60 || { say "kamailio under valgrind did not start"; exit 1; }
			sleep 2
			uac "cg${v}warm" "$B_PORT_KAM" "$PROF_CG_RATE" 50
			sleep "$KAM_SETTLE_S"
			# As for ours: an idle window (Kamailio's timer processes
			# tick all the time), then the calls.
			kpids=$(tree "$KAM_PID")
			# shellcheck disable=SC2086 # a list of PIDs
			cg_zero $kpids
			sleep $((PROF_CG_CALLS / PROF_CG_RATE + KAM_SETTLE_S))
			# shellcheck disable=SC2086
			cg_dump $kpids
			# shellcheck disable=SC2086
			cg_zero $kpids
			uac "cg$v" "$B_PORT_KAM" "$PROF_CG_RATE" "$PROF_CG_CALLS"
			say "callgrind-$v: $PROF_CG_CALLS calls at $PROF_CG_RATE/s, rc=$RC, $(stat "cg$v" 'SuccessfulCall(C)') ok, $(stat "cg$v" 'FailedCall(C)') failed; waiting ${KAM_SETTLE_S}s"
			sleep "$KAM_SETTLE_S"
			# shellcheck disable=SC2086
			cg_dump $kpids
			sleep 2
			stop_all
			idle=$(cg_total "$W/cg$v"/callgrind.*.1)
			total=$(cg_total "$W/cg$v"/callgrind.*.2)
			res "cg.$v.idle" "$idle"
			res "cg.$v.calls" "$total"
			say "callgrind-$v: Kamailio's $(echo "$kpids" | wc -w) processes executed $total instructions for the calls, $idle when idle as long: $(((total - idle) / PROF_CG_CALLS)) per call"
			cat "$W/cg$v"/callgrind.*.2 >"$W/callgrind.$v.calls.out" 2>/dev/null
			python3 "$HERE/report.py" hotlines "$W/callgrind.$v.calls.out" 25 fn >"$W/callgrind.$v.txt"
			say "callgrind-$v, self instructions by function (top 12, all processes):"
			head -12 "$W/callgrind.$v.txt"
		done
		;;
	massif)
		command -v valgrind >/dev/null 2>&1 || { say "valgrind not found"; continue; }
		start_uas || exit 1
		vg_start massif || exit 1
		uac mswarm "$B_PORT_OURS" "$PROF_HOLD_RATE" 100
		sleep "$OURS_SETTLE_S"
		for d in sigd ccd; do
			[ $d = sigd ] && pid=$SIGD_PID || pid=$CCD_PID
			vgdb --pid="$pid" detailed_snapshot "$W/massif.$d.base" >/dev/null 2>&1 ||
				say "vgdb detailed_snapshot $d failed"
		done
		holder hold "$B_PORT_OURS" "$B_PORT_HOLD" "$PROF_HOLD_RATE" "$PROF_HOLD"
		got=$(wait_held hold "$PROF_HOLD" $((PROF_HOLD / PROF_HOLD_RATE * 2 + 60)))
		say "massif: $got calls held; waiting ${OURS_SETTLE_S}s for the set-ups' transactions to expire"
		sleep "$OURS_SETTLE_S"
		for d in sigd ccd; do
			[ $d = sigd ] && pid=$SIGD_PID || pid=$CCD_PID
			vgdb --pid="$pid" detailed_snapshot "$W/massif.$d.held" >/dev/null 2>&1 ||
				say "vgdb detailed_snapshot $d failed"
		done
		stop_all
		for d in sigd ccd; do
			b=$(awk -F= '/^mem_heap(_extra)?_B=/ { s += $2 } END { print s + 0 }' "$W/massif.$d.base" 2>/dev/null)
			h=$(awk -F= '/^mem_heap(_extra)?_B=/ { s += $2 } END { print s + 0 }' "$W/massif.$d.held" 2>/dev/null)
			say "massif: $d heap (with malloc's overhead) $b B before, $h B with $got calls held: $(((h - b) / (got > 0 ? got : 1))) B per held call"
			ms_print "$W/massif.$d.held" >"$W/massif.$d.held.txt" 2>/dev/null
			ms_print "$W/massif.$d.base" >"$W/massif.$d.base.txt" 2>/dev/null
			say "massif, $d, heap by allocation site with the calls held:"
			grep -E '^(->|\| ->)[0-9.]+%' "$W/massif.$d.held.txt" | head -20
		done
		;;
	esac
done
