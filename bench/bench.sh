#!/bin/sh
# bench/bench.sh - `make bench`: the basic call (UDP, no RADIUS, no media
# relay) through ours (sigd + ccd) and through Kamailio (bench/kamailio.cfg:
# tm + rr + dialog), driven by sipp in a private network namespace, in one
# invocation so that every ratio compares runs made minutes apart. Phases:
#
#   ladder    the highest call rate with zero failed calls, searching upward
#   cpu       CPU ms per call at fixed rates, from /proc, idle time removed,
#             with the sipp callee as the reference process
#   cost      ours only: the cpu phase's measurement at one rate with
#             RADIUS (a local FreeRADIUS: remote-IP authorisation, Stop
#             records of both legs) and with rtpengine (ng), against the
#             basic call: what each adds to sigd+ccd, and the peer's own CPU
#   latency   setup latency added by the proxy (INVITE in -> out, 200 in ->
#             out, kernel timestamps from bench/sipsniff) at half the
#             sustained rate, plus sipp's own response times with and
#             without the proxy in the path
#   hold      memory per concurrent call with 1k..100k calls held open, and
#             CPU per call of short calls made while they are held
#   overload  3x the sustained rate for a while: 503s, other failures,
#             memory, the calls already established, recovery
#
# Then bench/report.py prints the tables and the ratios ours/Kamailio.
#
#   BUILD=build sh bench/bench.sh           (the full run, about 30 minutes)
#   BENCH_QUICK=1 sh bench/bench.sh         (about 3 minutes, to try things)
#   BENCH_PHASES="ladder cpu" BENCH_TARGETS=ours sh bench/bench.sh
#
# Results: $BUILD/bench/run/ (results.txt, report.txt, every sipp's files,
# the daemons' logs). docs/performance.md explains the method and the
# numbers.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(dirname "$HERE")
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export BUILD

if [ -z "${BENCH_IN_NETNS:-}" ]; then
	for b in "$BUILD/sigd" "$BUILD/ccd" "$BUILD/bench/sipsniff"; do
		[ -x "$b" ] || { echo "bench: $b is not built (make bench builds it)"; exit 1; }
	done
	for c in sipp kamailio python3 unshare ss curl; do
		command -v "$c" >/dev/null 2>&1 || { echo "bench: $c not found (make deps)"; exit 1; }
	done
	# The systems under test at real-time priority (see RT_PRIO below)
	# need a namespace of ip netns: in one of unshare -r the kernel does
	# not let a process raise its own priority.
	rt=${BENCH_RT_PRIO-10}
	if [ "$rt" != 0 ] && chrt -f "$rt" true 2>/dev/null && ip netns add "tandem-bench-$$" 2>/dev/null; then
		trap 'ip netns del "tandem-bench-$$"' EXIT
		trap 'exit 130' INT TERM
		BENCH_IN_NETNS=1 BENCH_RT="$rt" ip netns exec "tandem-bench-$$" sh "$0" "$@"
		exit $?
	fi
	[ "$rt" != 0 ] && echo "bench: real-time priority not available here (needs CAP_SYS_NICE and ip netns): the systems under test run at normal priority"
	BENCH_IN_NETNS=1 BENCH_RT=0 exec unshare -rn sh "$0" "$@"
fi
ip link set lo up || { echo "bench: cannot bring up lo in the namespace"; exit 1; }
# The held-calls phase keeps up to 100,000 calls in the callee sipp.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null

W=$BUILD/bench/run
rm -rf "$W"
mkdir -p "$W"
RES=$W/results.txt
: >"$RES"
. "$HERE/lib.sh"

trap 'stop_all' EXIT
trap 'exit 130' INT TERM

QUICK=${BENCH_QUICK:-0}
PHASES=${BENCH_PHASES:-ladder cpu cost latency hold overload}
# ours: sigd + ccd. kam: Kamailio with Debian's defaults, the reference of
# issue 7. kamt: Kamailio with the TLSF memory manager (-x tlsf -X tlsf),
# which makes it several times cheaper per call than its default "qm":
# the fairer competitor, measured in KAMT_PHASES only (time).
TARGETS=${BENCH_TARGETS:-ours kam kamt}
KAMT_PHASES=${KAMT_PHASES:-ladder cpu latency}
KAM_CHILDREN=${KAM_CHILDREN:-2}
KAM_SHM_MB=${KAM_SHM_MB:-1024}
# Capacity, sized for the benchmark on both sides: Kamailio gets 1 GB of
# shared memory (Debian's 64 MB lasts to some 300 calls/s: each call holds
# about 17 KB for tm's 5 s wait), sigd room for 2,000,000 legs (its
# default of 250,000 lasts to some 3,900 calls/s: an ended call's two legs
# linger 64*T1 = 32 s, so the node holds 64 legs per call/s). Overload
# control stays at sigd's defaults.
OURS_OPTS=${OURS_OPTS---max-legs 2000000}
# Each daemon on a CPU of its own (--cpu, common/cpu_affinity.h), and
# sigd's ZeroMQ I/O thread on ccd's CPU (--zmq-cpu): ccd's I/O thread
# shares its loop's CPU, so its hand-offs wake no other CPU, while sigd's
# sends to ccd as soon as sigd has a new call, not when sigd's loop next
# sleeps, and the TCP hop between the two I/O threads stays on one CPU.
# As an operator deploys them; the sipps and Kamailio (one process per
# message, no hand-off) are not pinned. OURS_CPUS="" runs both unpinned.
OURS_CPUS=${OURS_CPUS-0 1}
if [ -n "$OURS_CPUS" ] && [ "$(nproc)" -ge 2 ]; then
	OURS_OPTS="$OURS_OPTS --cpu ${OURS_CPUS% *} --zmq-cpu ${OURS_CPUS#* }"
	CCD_OPTS="${CCD_OPTS:-} --cpu ${OURS_CPUS#* }"
fi
# Both systems under test at SCHED_FIFO priority BENCH_RT_PRIO (default 10;
# 0: off): ours with --rt-prio (common/sched_rt.h), Kamailio under chrt -f,
# the sipps, the sniffer and rtpengine at normal priority. The sipps share
# the two CPUs with them here, and a proxy waiting for a sipp's time slice
# to end is an artefact of this machine, not a cost of the proxy; on its
# own host it would not wait. It is how an operator runs either for low
# latency (sigd --rt-prio, systemd's CPUSchedulingPolicy=, Kamailio's
# real_time). It makes a call cost more CPU at high rates: the proxy wakes
# for each datagram rather than reading a batch.
RT_PRIO=${BENCH_RT:-0}
if [ "$RT_PRIO" != 0 ]; then
	OURS_OPTS="$OURS_OPTS --rt-prio $RT_PRIO"
	CCD_OPTS="${CCD_OPTS:-} --rt-prio $RT_PRIO"
	KAM_RT="chrt -f $RT_PRIO"
fi
# After a run, how long until the system under test holds nothing of it
# and has spent all its CPU on it: sigd's default T1 is 500 ms, so ended
# legs and transactions linger 64*T1 = 32 s (to absorb retransmissions) and
# their expiry costs CPU too; Kamailio keeps a transaction 5 s (tm's wait
# timer) and deletes a dialog on its BYE.
OURS_SETTLE_S=35
KAM_SETTLE_S=12
if [ "$QUICK" = 1 ]; then
	LADDER="1000 2000 4000 6000 8000 10000 12000"
	LADDER_S=2 SETTLE_S=1 WARMUP_CALLS=200 CONFIRM_S=0 CONFIRM_TRIES=0
	CPU_RUNS="1000:3" IDLE_S=2 OURS_SETTLE_S=1 KAM_SETTLE_S=1
	LAT_S=2
	HOLD_LEVELS="1000 10000" HOLD_SPLIT=0 HOLD_IDLE_S=1 HOLD_RAMP_MIN=1000
	PROBE_RATE=500 PROBE_S=2
	OVL_S=5 OVL_HELD=200 RECOVERY_S=2 OVL_RECV_TIMEOUT=5000
	COST_S=${COST_S:-3}
else
	LADDER="500 1000 1500 2000 2500 3000 3500 4000 5000 6000 7000 8000 10000 12000"
	LADDER_S=6 SETTLE_S=3 WARMUP_CALLS=1000 CONFIRM_S=36 CONFIRM_TRIES=5
	CPU_RUNS="200:10 1000:8" IDLE_S=5
	LAT_S=8
	HOLD_LEVELS="1000 10000 50000 100000" HOLD_SPLIT=1 HOLD_IDLE_S=5 HOLD_RAMP_MIN=200
	PROBE_RATE=500 PROBE_S=8
	OVL_S=30 OVL_HELD=1000 RECOVERY_S=10 OVL_RECV_TIMEOUT=10000
	COST_S=${COST_S:-10}
fi
# The cost phase: one rate, about 5,000 calls per set-up in the full run.
COST_RATE=${COST_RATE:-500}
COST_SETUPS=${COST_SETUPS:-basic radius rtpengine}
# rtpengine's log level in the cost phase: its default, 6 (INFO), writes
# some 23 lines per call (every ng command, each stream's statistics at
# delete), 5 (NOTICE) one ("Creating new call"); measured in a quick run,
# 5 made rtpengine about 10% cheaper per call.
RTPE_LOG_LEVEL=${RTPE_LOG_LEVEL:-6}
# The overload phase offers 3x the sustained rate, but at most OVL_MAX_CPS:
# beyond some 15,000 calls/s one sipp on this 2-CPU machine cannot read
# the answers to its own INVITEs (measured: a flood answered by 503 alone
# runs clean at 15,000/s; asked 24,000/s, sipp reaches about 20,000 and
# drops hundreds of thousands of answers in its own receive queue, and its
# calls fail whatever the proxy does). 0: no cap.
OVL_MAX_CPS=${OVL_MAX_CPS:-15000}
# The levels whose CPU is measured by the cpu pass of the full run (the
# mem pass measures it at the last of HOLD_LEVELS).
HOLD_CPU_LEVELS=${HOLD_CPU_LEVELS:-1000 10000}

load() {
	cut -d' ' -f1-3 /proc/loadavg
}

res meta.date "$(date -u '+%Y-%m-%d %H:%M UTC')"
res meta.mode "$([ "$QUICK" = 1 ] && echo quick || echo full)"
res meta.kernel "$(uname -r)"
res meta.cpu "$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo) x $(nproc)"
res meta.mem "$(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo)"
res meta.load_start "$(load)"
res meta.sipp "$(sipp -v 2>/dev/null | awk '/SIPp v/ { print $2; exit }')"
res meta.kamailio "$(kamailio -v 2>/dev/null | awk 'NR == 1 { print $3 }')"
# What was measured: the commit, whether the daemons' sources differ from
# it, and when the binaries were built.
res meta.rev "$(git -C "$ROOT" describe --always 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- sigd ccd common proto 2>/dev/null || echo ' + uncommitted changes to sigd/ccd/common/proto')"
res meta.built "$(date -u -r "$BUILD/sigd" '+%Y-%m-%d %H:%M UTC')"
res meta.ours_opts "${OURS_OPTS:-}"
res meta.ccd_opts "${CCD_OPTS:-}"
res meta.kam_opts "${KAM_RT:+$KAM_RT }-n $KAM_CHILDREN -m $KAM_SHM_MB"
say "bench: $(grep '^meta.mode' "$RES" | cut -d= -f2) run, load average $(load), $(nproc) CPUs, results in $W"
awk -v l="$(load)" 'BEGIN { split(l, a, " "); exit !(a[1] > 1.0) }' &&
	say "bench: WARNING: the load average is above 1: other work shares the machine; compare ratios, not absolute numbers"

# ---------------------------------------------------------------- ladder
# Search: each step runs RATE calls/s for LADDER_S seconds; a step passes
# when sipp exits 0, every call succeeded and sipp really offered at least
# 90% of the rate. The search stops at the first step that does not pass.
# Confirm: a short step does not reach the steady state (ours keeps an
# ended call's legs 64*T1 = 32 s, so only after 32 s does it hold all it
# will hold at that rate), so the passed rates are confirmed by runs of
# CONFIRM_S seconds on fresh daemons, a binary search among the passed
# steps (at most CONFIRM_TRIES runs). The highest confirmed rate is the
# result.
phase_ladder() {
	t=$1
	up "$t" || return 1
	warmup
	passed=""
	for r in $LADDER; do
		ladder_step "ladder.$t.$r" "$r" "$LADDER_S" || break
		passed="$passed $r"
		sleep "$SETTLE_S"
	done
	down
	best=$(echo "$passed" | awk '{ print $NF + 0 }')
	res "ladder.$t.found" "$best"
	if [ "$CONFIRM_S" -gt 0 ] && [ -n "$passed" ]; then
		lo=-1 hi=$(echo "$passed" | wc -w) tries=0
		i=$(((lo + hi) / 2))
		while [ $tries -lt "$CONFIRM_TRIES" ]; do
			r=$(echo "$passed" | awk -v i="$i" '{ print $(i + 1) }')
			up "$t" || return 1
			warmup
			if ladder_step "ladder.$t.confirm.$r" "$r" "$CONFIRM_S"; then lo=$i; else hi=$i; fi
			down
			tries=$((tries + 1))
			[ $((hi - lo)) -le 1 ] && break
			i=$(((lo + hi) / 2))
		done
		best=0
		[ $lo -ge 0 ] && best=$(echo "$passed" | awk -v i="$lo" '{ print $(i + 1) }')
	fi
	res "ladder.$t.sustained" "$best"
	say "ladder $t: sustained $best calls/s with zero failures"
}

# ladder_step KEY RATE SECONDS: one run; true when it passed.
ladder_step() {
	k=$1 r=$2 n=$(($2 * $3))
	c0=$(tcpu "$t") u0=$(cpu_ms "$UAS_PID") d0=$(udp_drops) t0=$(now)
	UAC_TIMEOUT=$(($3 * 3 + 40)) uac "$k" "$PORT" "$r" "$n"
	wall=$(elapsed "$t0")
	sleep 0.5
	c1=$(tcpu "$t") u1=$(cpu_ms "$UAS_PID")
	ok=$(stat "$k" 'SuccessfulCall(C)')
	bad=$(stat "$k" 'FailedCall(C)')
	rtx=$(stat "$k" 'Retransmissions(C)')
	got=$(offered "$k" "$n")
	res "$k.rc" "$RC"
	res "$k.calls" "$n"
	res "$k.ok" "$ok"
	res "$k.failed" "$bad"
	res "$k.retrans" "$rtx"
	res "$k.rate" "$got"
	res "$k.wall" "$wall"
	res "$k.drops" "$(($(udp_drops) - d0))"
	res "$k.cpu0" "$c0"
	res "$k.cpu1" "$c1"
	res "$k.uas_ms" "$((u1 - u0))"
	res "$k.codes" "$(error_codes "$k")"
	res "$k.load" "$(load)"
	say "$k: $r cps x $3 s: rc=$RC ok=$ok failed=$bad retrans=$rtx offered=$got cps cpu $c0 -> $c1 ms"
	kill -0 "${TPIDS%% *}" 2>/dev/null || { res "$k.died" 1; say "$k: the system under test died"; return 1; }
	awk -v rc="$RC" -v ok="$ok" -v bad="$bad" -v n="$n" -v got="$got" -v r="$r" \
		'BEGIN { exit !(rc == 0 && ok == n && bad == 0 && got >= 0.9 * r) }'
}

# warmup: a few hundred calls first (Kamailio touches its shared memory,
# both fill their caches and pools), then a pause.
warmup() {
	uac "warmup.$t.$B_NEXT_CP" "$PORT" 500 "$WARMUP_CALLS"
	sleep "$SETTLE_S"
}

sustained() {
	v=$(sed -n "s/^ladder\.$1\.sustained=//p" "$RES" | tail -1)
	echo "${v:-${BENCH_RATE:-1000}}"
}

# ---------------------------------------------------------------- cpu
# CPU per call = (CPU over the run and the $SETTLE seconds that follow it
# - the idle CPU over the same time) / calls. The callee sipp's CPU over the
# run is the reference: its ratio does not drift with the machine.
phase_cpu() {
	t=$1
	up "$t" || return 1
	cpu_idle "cpu.$t"
	for run in $CPU_RUNS; do
		cpu_run "cpu.$t.${run%%:*}" "${run%%:*}" "${run##*:}"
	done
	down
}

# cpu_idle KEY: the CPU of the system under test $t over IDLE_S seconds
# with no calls (KEY.idle0, KEY.idle1, KEY.idle_s).
cpu_idle() {
	i0=$(tcpu "$t")
	sleep "$IDLE_S"
	i1=$(tcpu "$t")
	res "$1.idle_s" "$IDLE_S"
	res "$1.idle0" "$i0"
	res "$1.idle1" "$i1"
}

# cpu_run KEY RATE SECONDS [WAIT]: RATE calls/s for SECONDS seconds, then
# the settling time; the CPU of $t before and after (KEY.cpu0, KEY.cpu1),
# of the callee up to 1 s after the last call. WAIT, a function given the
# number of calls, runs inside the settling time (which it extends if it
# takes longer): e.g. until the accounting records have arrived, so that
# the window holds the work they cost.
cpu_run() {
	k=$1 r=$2 s=$3 n=$(($2 * $3))
	c0=$(tcpu "$t") u0=$(cpu_ms "$UAS_PID") t0=$(now) s0=$(tsplit "$t")
	UAC_TIMEOUT=$((s * 3 + 40)) uac "$k" "$PORT" "$r" "$n"
	sleep 1
	u1=$(cpu_ms "$UAS_PID")
	w0=$(now)
	[ -n "${4:-}" ] && "$4" "$n"
	sleep "$(awk -v s="$SETTLE" -v w="$(elapsed "$w0")" 'BEGIN { x = s - 1 - w; print (x > 0 ? x : 0) }')"
	c1=$(tcpu "$t") s1=$(tsplit "$t")
	res "$k.split0" "$s0"
	res "$k.split1" "$s1"
	res "$k.window" "$(elapsed "$t0")"
	res "$k.rc" "$RC"
	res "$k.calls" "$n"
	res "$k.ok" "$(stat "$k" 'SuccessfulCall(C)')"
	res "$k.failed" "$(stat "$k" 'FailedCall(C)')"
	res "$k.cpu0" "$c0"
	res "$k.cpu1" "$c1"
	res "$k.uas_ms" "$((u1 - u0))"
	say "$k: $r cps x ${s}s: rc=$RC cpu $c0 -> $c1 ms, callee $((u1 - u0)) ms"
}

# ---------------------------------------------------------------- cost
# What RADIUS and rtpengine add (issue 7): ours only, on fresh daemons for
# each set-up, the cpu phase's measurement (cpu_idle, cpu_run) at
# COST_RATE calls/s for COST_S seconds:
#   basic      as the cpu phase: ccd -u -s <callee>
#   radius     ccd -R: remote-IP authorisation by a local FreeRADIUS (the
#              e2e tests' configuration, bench/radius/users; no debug
#              output), routes from its reply, accounting Stop records of
#              both legs (-A 1), which FreeRADIUS writes to its detail file;
#              the Stop records and Access-Requests are counted
#   rtpengine  ccd -r ng:<rtpengine>: the same calls (their INVITE and 200
#              carry SDP) with an offer, an answer and a delete each
#              (signalling and rtpengine control; no RTP is sent)
# The peer (FreeRADIUS, rtpengine: all their threads) is measured as a
# third process next to sigd and ccd.
phase_cost() {
	t=$1
	[ "$t" = ours ] || return 0
	res cost.rate "$COST_RATE"
	res cost.seconds "$COST_S"
	res cost.setups "$COST_SETUPS"
	for c in $COST_SETUPS; do
		k=cost.$c
		if ! "cost_up_$c"; then
			res "$k.skipped" "could not start (see bench.log)"
			say "cost $c: could not start the set-up"
			down
			continue
		fi
		cpu_idle "$k"
		cpu_run "$k" "$COST_RATE" "$COST_S" "cost_wait_$c"
		"cost_check_$c" "$n"
		# shellcheck disable=SC2086 # a list of names
		cost_ms "$k" "$n" $COST_PROCS
		say "cost $c: $(grep "^$k\.\(ok\|failed\|[a-z]*_ms\|stops\|auth_requests\|offers\|deletes\)=" "$RES" | sed "s/^$k\.//" | paste -sd' ')"
		down
	done
}

# cost_ms KEY CALLS NAME...: the ms per call of each process (idle rate
# removed, as report.py's cpu_per_call) as KEY.<NAME>_ms, and the callee's.
cost_ms() {
	m_k=$1 m_n=$2
	shift 2
	m_i=1
	for m_name in "$@"; do
		res "$m_k.${m_name}_ms" "$(awk -v c0="$c0" -v c1="$c1" -v i0="$i0" -v i1="$i1" -v is="$IDLE_S" \
			-v w="$(sed -n "s/^$m_k\.window=//p" "$RES")" -v n="$m_n" -v j="$m_i" 'BEGIN {
				split(c0, a); split(c1, b); split(i0, x); split(i1, y)
				v = b[j] - a[j] - (y[j] - x[j]) / is * w; if (v < 0) v = 0
				printf "%.4f\n", v / n }')"
		m_i=$((m_i + 1))
	done
	res "$m_k.callee_ms" "$(awk -v u="$((u1 - u0))" -v n="$m_n" 'BEGIN { printf "%.4f\n", u / n }')"
}

cost_up_basic() {
	COST_PROCS="sigd ccd"
	up ours
}

cost_up_radius() {
	COST_PROCS="sigd ccd radius"
	for c_x in freeradius radclient; do
		command -v "$c_x" >/dev/null 2>&1 || { say "cost radius: $c_x not found (make deps)"; return 1; }
	done
	res meta.freeradius "$(freeradius -v 2>/dev/null | awk 'NR == 1 { sub(/,$/, "", $4); print $4 }')"
	# FreeRADIUS first, then the callee and ours: ccd authorises the
	# caller's address (-D: a rejected caller gets 403, no digest
	# challenge), routes by the reply and sends Stop records (-A 1).
	start_radius || return 1
	up ours -R "$W/radius/radiusclient.conf" -D -A 1 --acct-spool "$W/radius/acct.spool"
}

# cost_wait_radius CALLS: until FreeRADIUS has written the Stop records of
# both legs of every call (at most 60 s): they are sent after the BYE.
cost_wait_radius() {
	w_i=0
	while [ "$(rad_count detail 'Acct-Status-Type = Stop')" -lt $(($1 * 2)) ] && [ $w_i -lt 300 ]; do
		sleep 0.2
		w_i=$((w_i + 1))
	done
}

cost_check_radius() {
	st=$(rad_count detail 'Acct-Status-Type = Stop')
	au=$(rad_count auth-detail 'User-Name = ')
	res "$k.stops" "$st"
	res "$k.stops_expected" "$(($1 * 2))"
	res "$k.auth_requests" "$au"
	res "$k.spooled" "$(wc -c <"$W/radius/acct.spool" 2>/dev/null || echo 0)"
	[ "$st" -eq $(($1 * 2)) ] ||
		say "cost radius: MISMATCH: $st Stop records in FreeRADIUS's detail file, expected $(($1 * 2)) (2 per call)"
}

cost_up_rtpengine() {
	COST_PROCS="sigd ccd rtpengine"
	command -v rtpengine >/dev/null 2>&1 || { say "cost rtpengine: rtpengine not found (make deps)"; return 1; }
	[ -x "$BUILD/tools/rtpio" ] || { say "cost rtpengine: $BUILD/tools/rtpio is not built (make)"; return 1; }
	res meta.rtpengine "$(rtpengine --version 2>&1 | awk '/Version/ { print $2; exit }'), --log-level=$RTPE_LOG_LEVEL"
	# rtpengine first: ccd asks an offline RTP proxy again only every 60 s.
	start_rtpengine || return 1
	up ours -u -s "$B_IP:$B_PORT_UAS" -r "ng:$B_IP:$B_RTPE_NG" || return 1
	c_i=0
	until grep -q "RTP proxy ng:$B_IP:$B_RTPE_NG: .*-> online" "$W/ccd.log"; do
		c_i=$((c_i + 1))
		[ $c_i -ge 100 ] && { say "cost rtpengine: not online in ccd: $(tail -3 "$W/ccd.log")"; return 1; }
		sleep 0.1
	done
}

# What rtpengine did, from its ng "statistics" reply (bencode): the offer,
# answer and delete commands it handled and the sessions it still holds.
cost_check_rtpengine() {
	c_st=$("$BUILD/tools/rtpio" ng "$B_IP:$B_RTPE_NG" statistics 2>/dev/null)
	for c_cmd in offer answer delete; do
		c_v=$(printf '%s' "$c_st" | sed -n "s/.*:total${c_cmd}counti\([0-9]*\)e.*/\1/p")
		res "$k.${c_cmd}s" "${c_v:-?}"
	done
	c_v=$(printf '%s' "$c_st" | sed -n 's/.*13:sessionstotali\([0-9]*\)e.*/\1/p')
	res "$k.sessions_left" "${c_v:-?}"
	res "$k.no_proxy" "$(grep -c 'no RTP proxy online' "$W/ccd.log")"
	c_v=$(sed -n "s/^$k\.offers=//p" "$RES")
	[ "$c_v" = "$1" ] || say "cost rtpengine: MISMATCH: rtpengine handled $c_v offers for $1 calls"
}

cost_wait_basic() { :; }
cost_check_basic() { :; }
cost_wait_rtpengine() { :; }

# ---------------------------------------------------------------- latency
# At 100 calls/s (no queueing: the cost of one call's path), at half the
# system's own sustained rate (the target's point) and, for ours, at half
# Kamailio's (the same load for both). The same calls straight from caller
# to callee give sipp's response time without a proxy.
phase_latency() {
	t=$1
	half=$(($(sustained "$t") / 200 * 100))
	[ "$half" -ge 100 ] || half=100
	rates=100
	[ "$half" != 100 ] && rates="100 $half"
	if [ "$t" = ours ] && grep -q '^ladder\.kam\.sustained=' "$RES"; then
		common=$(($(sustained kam) / 200 * 100))
		[ "$common" -ge 100 ] && [ "$common" != "$half" ] && [ "$common" != 100 ] && rates="$rates $common"
	fi
	res "lat.$t.half" "$half"
	res "lat.$t.rates" "$rates"
	up "$t" || return 1
	warmup
	for r in $rates; do
		n=$((r * LAT_S))
		k=lat.$t.$r
		sniff_start "$k"
		uac "$k" "$PORT" "$r" "$n" -trace_rtt -rtt_freq 1
		sniff_stop
		res "$k.rc" "$RC"
		res "$k.failed" "$(stat "$k" 'FailedCall(C)')"
		python3 "$HERE/report.py" latency "$W/$k.sniff" "$PORT" "$B_PORT_UAC" "$B_PORT_UAS" |
			while read -r kv; do res "$k.${kv%%=*}" "${kv#*=}"; done
		python3 "$HERE/report.py" rtt "$W/$k"/*_rtt.csv |
			while read -r kv; do res "$k.${kv%%=*}" "${kv#*=}"; done
		say "latency $t at $r cps: $(grep "^$k\.\(inv\|sum\)_p" "$RES" | sed "s/^$k\.//" | paste -sd' ')"
		grep -q "^lat\.direct\.$r\.rc=" "$RES" && continue
		uac "lat.direct.$r" "$B_PORT_UAS" "$r" "$n" -trace_rtt -rtt_freq 1
		res "lat.direct.$r.rc" "$RC"
		python3 "$HERE/report.py" rtt "$W/lat.direct.$r"/*_rtt.csv |
			while read -r kv; do res "lat.direct.$r.${kv%%=*}" "${kv#*=}"; done
		sleep 1
	done
	down
}

# ---------------------------------------------------------------- hold
# Calls held open level by level: one holder sipp per increment sets calls
# up at half the sustained rate (at most 3000/s: well inside what the
# system takes, so that its overload control has no reason to refuse any)
# and keeps them in an hour-long pause. A level short by at most 1% (calls
# refused or lost on a busy machine) still counts, with the calls reached;
# memory per call divides by those.
#
# mem pass, on fresh daemons: memory at each level 2 s after the last
# call was set up, and once more at the last level after $SETTLE s (when
# the transactions of the set-ups have expired). Short calls made earlier
# would leave freed memory that held calls then reuse, hence no probe
# before the last level, where the probe of the cpu pass follows.
# cpu pass (the lower levels of HOLD_CPU_LEVELS): at each level, after
# $SETTLE s, the idle CPU for HOLD_IDLE_S s, then PROBE_RATE short calls/s
# for PROBE_S s: their CPU per call (read 1 s after the last one, as in the
# ladder: the linger of the probe's legs falls into the next level's
# settling time).
# both (quick run): one pass, memory then probe at each level, no settling.
phase_hold() {
	t=$1
	if [ "$HOLD_SPLIT" = 1 ]; then
		hold_pass "$t" mem "$HOLD_LEVELS"
		hold_pass "$t" cpu "$HOLD_CPU_LEVELS"
	else
		hold_pass "$t" both "$HOLD_LEVELS"
	fi
}

hold_pass() {
	t=$1 mode=$2 levels=$3
	ramp=$(($(sustained "$t") / 200 * 100))
	[ "$ramp" -gt 3000 ] && ramp=3000
	[ "$ramp" -lt "$HOLD_RAMP_MIN" ] && ramp=$HOLD_RAMP_MIN
	up "$t" || return 1
	res "hold.$t.$mode.base" "$(tmem "$t")"
	res "hold.$t.ramp" "$ramp"
	prev=0 port=$B_PORT_HOLD last=""
	for lvl in $levels; do
		inc=$((lvl - prev))
		k=hold.$t.$mode.$lvl
		holder "$k.holder" "$PORT" "$port" "$ramp" "$inc"
		port=$((port + 1))
		got=$(wait_held "$k.holder" "$inc" $((inc / ramp * 2 + 30)))
		res "$k.reached" "$((prev + got))"
		res "$k.load" "$(load)"
		if [ "$got" -lt "$inc" ]; then
			res "$k.why" "$(stat "$k.holder" 'FailedCall(C)') failed, $(error_codes "$k.holder")"
			say "hold $t: only $((prev + got)) of $lvl calls held: $(tail -c 300 "$W/$k.holder/err.log" 2>/dev/null | tr '\n' ' ')"
			[ $((got * 100)) -ge $((inc * 99)) ] || break
		fi
		last=$k
		case $mode in
		mem)
			sleep 2
			res "$k.mem" "$(tmem "$t")"
			[ "$t" = ours ] && res "$k.pss" "$(pss_kb $TPIDS)"
			;;
		both)
			sleep 1
			res "$k.mem" "$(tmem "$t")"
			hold_probe "$k"
			;;
		cpu)
			sleep "$SETTLE"
			res "$k.mem_settled" "$(tmem "$t")"
			hold_probe "$k"
			;;
		esac
		say "$k: $lvl held, memory $(sed -n "s/^$k\.mem=//p" "$RES") kB, probe cpu $(sed -n "s/^$k\.cpu0=//p" "$RES") -> $(sed -n "s/^$k\.cpu1=//p" "$RES") ms, load $(load)"
		prev=$((prev + got))
	done
	if [ "$mode" = mem ] && [ -n "$last" ]; then
		sleep "$SETTLE"
		res "$last.mem_settled" "$(tmem "$t")"
		hold_probe "$last"
		say "$last: after ${SETTLE}s: memory $(sed -n "s/^$last\.mem_settled=//p" "$RES") kB, probe cpu $(sed -n "s/^$last\.cpu0=//p" "$RES") -> $(sed -n "s/^$last\.cpu1=//p" "$RES") ms"
	fi
	down
}

hold_probe() {
	i0=$(tcpu "$t") t0=$(now)
	sleep "$HOLD_IDLE_S"
	i1=$(tcpu "$t")
	res "$1.idle0" "$i0"
	res "$1.idle1" "$i1"
	res "$1.idle_s" "$(elapsed "$t0")"
	n=$((PROBE_RATE * PROBE_S))
	c0=$(tcpu "$t") u0=$(cpu_ms "$UAS_PID") t0=$(now)
	UAC_TIMEOUT=$((PROBE_S * 3 + 40)) uac "$1.probe" "$PORT" "$PROBE_RATE" "$n"
	sleep 1
	c1=$(tcpu "$t") u1=$(cpu_ms "$UAS_PID")
	res "$1.window" "$(elapsed "$t0")"
	res "$1.rc" "$RC"
	res "$1.calls" "$n"
	res "$1.failed" "$(stat "$1.probe" 'FailedCall(C)')"
	res "$1.cpu0" "$c0"
	res "$1.cpu1" "$c1"
	res "$1.uas_ms" "$((u1 - u0))"
}

# ---------------------------------------------------------------- overload
# OVL_HELD established calls first, then 3x the sustained rate (at most
# OVL_MAX_CPS, see above) for OVL_S seconds (uac_overload.xml accepts a 503
# with Retry-After as an outcome),
# memory sampled every second; then half the sustained rate for
# RECOVERY_S seconds, which must not fail; then the held calls hang up,
# each BYE answered.
phase_overload() {
	t=$1
	s=$(sustained "$t")
	[ "$s" -ge 100 ] || s=100
	up "$t" || return 1
	warmup
	k=ovl.$t
	hr=$((s / 2))
	[ "$hr" -gt 1000 ] && hr=1000
	# They hang up after the overload (and the 10 s its last calls may
	# take), during the recovery run.
	hold_s=$((OVL_HELD / hr + 2 + OVL_S + 12))
	HOLD_MS=$((hold_s * 1000)) holder "$k.holder" "$PORT" "$B_PORT_HOLD" "$hr" "$OVL_HELD"
	held_pid=$HOLD_PID
	got=$(wait_held "$k.holder" "$OVL_HELD" 60)
	res "$k.held" "$got"
	res "$k.mem0" "$(tmem "$t")"
	fr=$((3 * s))
	[ "$OVL_MAX_CPS" -gt 0 ] && [ "$fr" -gt "$OVL_MAX_CPS" ] && fr=$OVL_MAX_CPS
	res "$k.offered_target" "$fr"
	res "$k.offered_3x" "$((3 * s))"
	sipp_ports
	mkdir -p "$W/$k"
	(cd "$W/$k" && exec sipp "$B_IP:$PORT" -sf "$HERE/sipp/uac_overload.xml" -i "$B_IP" \
		-p "$B_PORT_UAC" -cp "$B_CP" -mp "$B_MP" -r "$fr" -m $((fr * OVL_S * 4)) \
		-l 200000 -d 0 -nostdin -pause_msg_ign -buff_size 4194304 -recv_timeout "$OVL_RECV_TIMEOUT" \
		-trace_stat -stf stat.csv -fd 1 -trace_counts -trace_err -error_file err.log \
		-trace_error_codes -max_log_size 10000000 -timeout 300s >out.log 2>&1) &
	ovl_pid=$!
	started "$ovl_pid"
	t0=$(now) peak=0 i=0
	# each second: time, memory (kB) and, for ours, the share of new
	# INVITEs sigd refuses and its receive queue's delay (s)
	while [ $i -lt "$OVL_S" ]; do
		sleep 1
		m=$(tmem "$t" | awk '{ print $1 + $2 }')
		ctl=""
		[ "$t" = ours ] && ctl="$(sigd_metric tandem_sigd_overload_shed_ratio) $(sigd_metric tandem_sigd_receive_queue_delay_seconds)"
		echo "$(elapsed "$t0") $m $ctl" >>"$W/$k.mem"
		[ "$m" -gt "$peak" ] && peak=$m
		i=$((i + 1))
	done
	# who could not keep up: queue overflows of the proxy, the caller, the callee
	res "$k.drops" "$(sock_drops "$PORT") $(sock_drops "$B_PORT_UAC") $(sock_drops "$B_PORT_UAS")"
	# Soft stop: no new calls, the ones in progress end (or time out: 10 s).
	kill -USR1 "$ovl_pid" 2>/dev/null
	i=0
	while kill -0 "$ovl_pid" 2>/dev/null && [ $i -lt 60 ]; do
		sleep 1
		m=$(tmem "$t" | awk '{ print $1 + $2 }')
		echo "$(elapsed "$t0") $m" >>"$W/$k.mem"
		[ "$m" -gt "$peak" ] && peak=$m
		i=$((i + 1))
	done
	stop_pid "$ovl_pid" 3
	res "$k.wall" "$(elapsed "$t0")"
	res "$k.calls" "$(stat "$k" 'OutgoingCall(C)')"
	res "$k.rate" "$(stat "$k" 'CallRate(C)')"
	res "$k.ok" "$(stat "$k" 'SuccessfulCall(C)')"
	res "$k.failed" "$(stat "$k" 'FailedCall(C)')"
	res "$k.answered" "$(count "$k" 4_200_Recv)"
	res "$k.shed503" "$(count "$k" 3_503_Recv)"
	res "$k.codes" "$(error_codes "$k")"
	res "$k.timeouts" "$(stat "$k" 'FailedTimeoutOnRecv(C)')"
	res "$k.mem_peak" "$peak"
	res "$k.mem_end" "$(tmem "$t")"
	if [ "$t" = ours ]; then
		for why in queue_delay setups cps capacity; do
			res "$k.sigd_shed_$why" "$(sigd_metric "tandem_sigd_calls_shed_total{reason=\"$why\"}")"
		done
		res "$k.sigd_shed_ratio" "$(awk 'NF >= 3 { s += $3; n++ } END { if (n) printf "%.2f", s / n }' "$W/$k.mem")"
	fi
	say "overload $t: $(grep "^$k\.\(calls\|rate\|answered\|shed503\|failed\|mem_peak\)=" "$RES" | sed "s/^$k\.//" | paste -sd' ')"
	sleep 2
	r=$((s / 2))
	UAC_TIMEOUT=$((RECOVERY_S * 3 + 40)) uac "$k.recovery" "$PORT" "$r" "$((r * RECOVERY_S))"
	res "$k.recovery_rate" "$r"
	res "$k.recovery_rc" "$RC"
	res "$k.recovery_ok" "$(stat "$k.recovery" 'SuccessfulCall(C)')"
	res "$k.recovery_failed" "$(stat "$k.recovery" 'FailedCall(C)')"
	# The held calls hang up by themselves: every BYE must be answered.
	i=0
	while kill -0 "$held_pid" 2>/dev/null && [ $i -lt $((hold_s + 60)) ]; do
		sleep 1
		i=$((i + 1))
	done
	stop_pid "$held_pid" 3
	res "$k.held_ok" "$(stat "$k.holder" 'SuccessfulCall(C)')"
	res "$k.held_failed" "$(stat "$k.holder" 'FailedCall(C)')"
	sleep "$SETTLE"
	res "$k.mem_final" "$(tmem "$t")"
	res "$k.alive" "$(kill -0 "$(echo "$TPIDS" | cut -d' ' -f1)" 2>/dev/null && echo 1 || echo 0)"
	say "overload $t: recovery at $r cps: $(sed -n "s/^$k\.recovery_failed=//p" "$RES") failed; held calls: $(sed -n "s/^$k\.held_ok=//p" "$RES") ok, $(sed -n "s/^$k\.held_failed=//p" "$RES") failed"
	down
}

T_START=$(now)
for p in $PHASES; do
	res "meta.load.$p" "$(load)"
	for t in $TARGETS; do
		[ "$t" = kamt ] && case " $KAMT_PHASES " in *" $p "*) ;; *) continue ;; esac
		"phase_$p" "$t" || say "bench: phase $p for $t did not complete"
		stop_all
	done
done
res meta.wall "$(elapsed "$T_START")"
res meta.load_end "$(load)"
python3 "$HERE/report.py" report "$RES" | tee "$W/report.txt"
