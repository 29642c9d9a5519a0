# tests/e2e/lib.sh - shared by the end-to-end tests. Source it first thing:
#
#   . "$(dirname "$0")/lib.sh"
#
# It re-executes the test inside a private network namespace (unshare -rn,
# loopback up), so 127.0.0.1:5060 is the test's own; gives it a work
# directory $W; and stops, by PID, every process started with tb_start when
# the test exits, however it exits.

set -u
# tests/run.sh runs every tests/e2e/*.sh, this file too: as a script it is
# no test, so it passes at once.
case "$0" in */lib.sh | lib.sh) echo "lib.sh: sourced by the end-to-end tests, not one itself"; exit 0 ;; esac
TB_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD=$TB_ROOT/$BUILD ;; esac
export BUILD

if [ -z "${TB_IN_NETNS:-}" ]; then
	TB_IN_NETNS=1 exec unshare -rn sh "$0" "$@"
fi
ip link set lo up || { echo "cannot bring up lo in the test namespace"; exit 1; }

TB_NAME=$(basename "$0" .sh)
W=$BUILD/e2e/$TB_NAME
rm -rf "$W"
mkdir -p "$W"
TB_PIDS=""
# "PID:STARTTIME" of each process tb_start started: PIDs are recycled (the
# machine's pid_max is 32768), so tb_cleanup signals a PID only while it is
# still the process we started.
TB_STARTS=""

# tb_proc_start PID: the process's start time (field 22 of /proc/PID/stat,
# counted after the command name, which may hold spaces); empty if gone.
tb_proc_start() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20
}

# tb_start NAME CMD ARGS... : start CMD in the background (stdout+stderr to
# $W/NAME.log); its PID is in $TB_PID and in $W/NAME.pid.
tb_start() {
	tb_name=$1
	shift
	"$@" >"$W/$tb_name.log" 2>&1 &
	TB_PID=$!
	echo "$TB_PID" >"$W/$tb_name.pid"
	TB_PIDS="$TB_PIDS $TB_PID"
	TB_STARTS="$TB_STARTS $TB_PID:$(tb_proc_start "$TB_PID")"
}

# tb_ours PID: PID is still the process tb_start started (or, for a PID a
# test added to TB_PIDS itself, simply alive).
tb_ours() {
	kill -0 "$1" 2>/dev/null || return 1
	for tb_s in $TB_STARTS; do
		[ "${tb_s%%:*}" = "$1" ] || continue
		[ "${tb_s#*:}" = "$(tb_proc_start "$1")" ]
		return
	done
	return 0
}

# tb_stop PID [SECONDS]: SIGTERM, wait, then SIGKILL. Returns the exit status
# of the process when it was our child and ended on TERM.
tb_stop() {
	tb_pid=$1
	tb_wait=${2:-5}
	kill -0 "$tb_pid" 2>/dev/null || { wait "$tb_pid" 2>/dev/null; return $?; }
	kill -TERM "$tb_pid" 2>/dev/null
	tb_i=0
	while kill -0 "$tb_pid" 2>/dev/null && [ $tb_i -lt $((tb_wait * 10)) ]; do
		sleep 0.1
		tb_i=$((tb_i + 1))
	done
	if kill -0 "$tb_pid" 2>/dev/null; then
		echo "pid $tb_pid ignored SIGTERM for ${tb_wait}s: SIGKILL"
		kill -KILL "$tb_pid" 2>/dev/null
		wait "$tb_pid" 2>/dev/null
		return 137
	fi
	wait "$tb_pid" 2>/dev/null
}

tb_cleanup() {
	for p in $TB_PIDS; do
		tb_ours "$p" && tb_stop "$p" 3 >/dev/null
	done
}
trap tb_cleanup EXIT
trap 'exit 130' INT TERM

fail() {
	echo "FAIL: $*"
	for f in "$W"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $f (last 30 lines)"
		tail -30 "$f"
	done
	exit 1
}

pass() {
	echo "PASS: $*"
}

# tb_wait_udp PORT [SECONDS]: wait until something listens on UDP PORT.
tb_wait_udp() {
	tb_i=0
	while [ $tb_i -lt $((${2:-5} * 20)) ]; do
		ss -Huln "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
		tb_i=$((tb_i + 1))
	done
	return 1
}

# tb_wait_tcp PORT [SECONDS]
tb_wait_tcp() {
	tb_i=0
	while [ $tb_i -lt $((${2:-5} * 20)) ]; do
		ss -Htln "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
		tb_i=$((tb_i + 1))
	done
	return 1
}

# ---------------------------------------------------------------- the call path
#
# The call-path tests (call_*.sh) put everything on 127.0.0.1:
#
#   caller sipp :5061 --> sigd :5060 --(ZeroMQ tcp :5555)-- ccd -s 127.0.0.1:5070
#                                   \--> callee sipp :5070
#
# tb_call_setup starts ccd, sigd and the callee; tb_uac runs the caller and
# waits for it; tb_sipp_check asserts on a sipp's exit code and counters;
# tb_check_no_legs checks at the end that sigd and ccd hold no state.

TB_SCEN=$TB_ROOT/tests/e2e/scenarios
TB_IP=127.0.0.1
TB_SIGD_PORT=5060
TB_CALLER_PORT=5061
TB_CALLEE_PORT=5070
TB_CCD_BIND=tcp://127.0.0.1:5555
# Every sipp gets -timeout $TB_SIPP_TIMEOUT -timeout_error: a hung call ends
# the test with a failure instead of hanging it. Tests may change it.
TB_SIPP_TIMEOUT=${TB_SIPP_TIMEOUT:-30s}
# The name of ccd's log ($W/NAME.log), which tb_check_no_legs reads; a
# test that restarts ccd names the new one.
TB_CCD_LOG=${TB_CCD_LOG:-ccd}
# sigd's T1 in the tests: 50 ms makes 64*T1 (transaction timeouts and the
# linger of ended legs) 3.2 s, so every test can afford to wait until all
# state is gone. call_no_answer keeps RFC 3261's 500 ms (it exports TB_T1).
TB_T1=${TB_T1:-50}
# Extra options for the daemons.
TB_SIGD_OPTS=${TB_SIGD_OPTS:---t1 $TB_T1}
TB_CCD_OPTS=${TB_CCD_OPTS:-}
# Each sipp gets its own control and media ports (sipp's defaults collide).
TB_SIPP_NEXT_PORT=8800

# tb_forget PID: drop PID from the list tb_cleanup stops (after we reaped it,
# so a recycled PID can never be killed by mistake).
tb_forget() {
	tb_keep=""
	for p in $TB_PIDS; do
		[ "$p" = "$1" ] || tb_keep="$tb_keep $p"
	done
	TB_PIDS=$tb_keep
}

# tb_wait_exit PID [SECONDS]: wait for a process started with tb_start to
# exit on its own (SIGKILL after SECONDS, default 120); its exit status is
# returned and in $TB_RC.
tb_wait_exit() {
	tb_i=0
	while kill -0 "$1" 2>/dev/null && [ $tb_i -lt $((${2:-120} * 10)) ]; do
		sleep 0.1
		tb_i=$((tb_i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "pid $1 still running after ${2:-120}s: SIGKILL"
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	TB_RC=$?
	tb_forget "$1"
	return $TB_RC
}

# shellcheck disable=SC2120 # the arguments are optional
# tb_ccd_start [ARGS...]: ccd routing every call to the callee; waits until
# it listens. PID in $CCD_PID; its log is $W/$TB_CCD_LOG.log.
tb_ccd_start() {
	# shellcheck disable=SC2086 # TB_CCD_OPTS is an option list
	tb_start "$TB_CCD_LOG" env SIPLOG_LVL=DBUG SIPLOG_BEND=stderr \
		"$BUILD/ccd" -f -u -s "$TB_IP:$TB_CALLEE_PORT" --bind "$TB_CCD_BIND" $TB_CCD_OPTS "$@"
	CCD_PID=$TB_PID
	tb_wait_tcp "${TB_CCD_BIND##*:}" || fail "ccd does not listen on $TB_CCD_BIND"
}

# shellcheck disable=SC2120 # the arguments are optional
# tb_sigd_start [ARGS...]: sigd on 127.0.0.1:5060 linked to ccd; waits until
# it listens. PID in $SIGD_PID.
tb_sigd_start() {
	# shellcheck disable=SC2086 # TB_SIGD_OPTS is an option list
	tb_start sigd env SIPLOG_LVL=DBUG SIPLOG_BEND=stderr \
		"$BUILD/sigd" -f -l "$TB_IP" -p "$TB_SIGD_PORT" --ccd "$TB_CCD_BIND" --node-id n1 \
		$TB_SIGD_OPTS "$@"
	SIGD_PID=$TB_PID
	tb_wait_udp "$TB_SIGD_PORT" || fail "sigd does not listen on $TB_IP:$TB_SIGD_PORT"
}

# shellcheck disable=SC2120 # the argument is optional
# tb_sigd_ready [SECONDS]: wait (default 5 s) until sigd relays calls: its
# link to ccd is up once ccd welcomed it (sigd/link.c logs "ccd (instance
# ...) welcomed node ..."); until then it answers every INVITE 503.
tb_sigd_ready() {
	tb_wait_log sigd 'welcomed node' 1 "${1:-5}"
}

# tb_sipp_scenario SCENARIO: the -sf/-sn arguments for a scenario name
# (tests/e2e/scenarios/NAME.xml), a path, or "sn:uac" for a built-in one.
tb_sipp_scenario() {
	case "$1" in
	sn:*) echo "-sn ${1#sn:}" ;;
	*/*) echo "-sf $1" ;;
	*) echo "-sf $TB_SCEN/${1%.xml}.xml" ;;
	esac
}

# tb_sipp NAME SCENARIO LOCAL_PORT [REMOTE] [SIPP ARGS...]: start sipp in
# the background in $W/NAME/ (its counts and error-codes files land there)
# with statistics, counts, error, message, log and screen traces on; the
# PID is in $TB_PID. Use tb_uas / tb_uac. The scenarios' checks are <ereg
# check_it="true"> actions (a mismatch fails the call); each then logs what
# it matched to logs.log (sipp also refuses a variable used only once).
tb_sipp() {
	tb_n=$1 tb_sc=$2 tb_lp=$3 tb_rem=$4
	shift 4
	mkdir -p "$W/$tb_n"
	tb_cp=$TB_SIPP_NEXT_PORT
	TB_SIPP_NEXT_PORT=$((TB_SIPP_NEXT_PORT + 1))
	tb_mp=$((6000 + (tb_cp - 8800) * 10))
	# shellcheck disable=SC2046,SC2086 # the scenario is two words, the
	# remote address none (callee) or one
	tb_start "$tb_n" env -C "$W/$tb_n" sipp $tb_rem $(tb_sipp_scenario "$tb_sc") \
		-i "$TB_IP" -p "$tb_lp" -cp "$tb_cp" -mp "$tb_mp" -nostdin \
		-timeout "$TB_SIPP_TIMEOUT" -timeout_error \
		-trace_stat -stf "$W/$tb_n/stat.csv" -fd 1 -trace_counts \
		-trace_err -error_file "$W/$tb_n/errors.log" -trace_error_codes \
		-trace_msg -message_file "$W/$tb_n/messages.log" \
		-trace_logs -log_file "$W/$tb_n/logs.log" \
		-trace_screen -screen_file "$W/$tb_n/screen.log" "$@"
}

# tb_uas NAME SCENARIO [SIPP ARGS...]: the callee on 127.0.0.1:5070 (pass
# -m N so it ends by itself); waits until it listens. PID in $UAS_PID.
tb_uas() {
	tb_un=$1 tb_us=$2
	shift 2
	tb_sipp "$tb_un" "$tb_us" "$TB_CALLEE_PORT" "" "$@"
	UAS_PID=$TB_PID
	tb_wait_udp "$TB_CALLEE_PORT" || fail "callee sipp ($tb_us) did not start"
}

# tb_uac NAME SCENARIO [SIPP ARGS...]: the caller (127.0.0.1:5061 -> sigd),
# run to its end; returns sipp's exit code (also in $TB_RC).
tb_uac() {
	tb_cn=$1 tb_cs=$2
	shift 2
	tb_sipp "$tb_cn" "$tb_cs" "${TB_UAC_PORT:-$TB_CALLER_PORT}" "${TB_UAC_TARGET:-$TB_IP:$TB_SIGD_PORT}" "$@"
	tb_wait_exit "$TB_PID" 300
}

# tb_uac_start NAME SCENARIO [SIPP ARGS...]: the same in the background
# (PID in $UAC_PID), for tests that act while calls are in progress.
tb_uac_start() {
	tb_cn=$1 tb_cs=$2
	shift 2
	tb_sipp "$tb_cn" "$tb_cs" "${TB_UAC_PORT:-$TB_CALLER_PORT}" "${TB_UAC_TARGET:-$TB_IP:$TB_SIGD_PORT}" "$@"
	# shellcheck disable=SC2034 # for the test
	UAC_PID=$TB_PID
}

# tb_call_setup UAS_SCENARIO [UAS SIPP ARGS...]: ccd, sigd (waiting until
# its link to ccd is up) and the callee sipp (named "callee").
tb_call_setup() {
	tb_ccd_start
	tb_sigd_start
	tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
	tb_uas callee "$@"
}

# tb_stat NAME COLUMN: a cumulative counter from the last line of the sipp's
# -trace_stat file, e.g. tb_stat caller 'SuccessfulCall(C)'; "?" if absent.
tb_stat() {
	awk -F';' -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ last = $0 }
		END { if (!c || last == "") { print "?"; exit } split(last, f, ";"); print f[c] }
	' "$W/$1/stat.csv" 2>/dev/null || echo "?"
}

# tb_count NAME COLUMN: a per-message counter from the sipp's -trace_counts
# file (columns like 0_INVITE_Retrans, 4_200_Recv, 6_Pause_Unexp).
tb_count() {
	for tb_f in "$W/$1"/*_counts.csv; do break; done
	[ -f "$tb_f" ] || { echo "?"; return; }
	awk -F';' -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ last = $0 }
		END { if (!c || last == "") { print "?"; exit } split(last, f, ";"); print f[c] }
	' "$tb_f"
}

# tb_error_codes NAME: the response codes of the sipp's unexpected messages
# (comma-separated), empty when there were none.
tb_error_codes() {
	# Each line is "<timestamp>;<elapsed>;<code>,<code>,...": keep the codes.
	cat "$W/$1"/*_error_codes.csv 2>/dev/null |
		awk -F';' '{ for (i = 3; i <= NF; i++) printf "%s", $i }' | sed 's/,$//'
}

# tb_sipp_report NAME: what a failing sipp saw, for the test log.
tb_sipp_report() {
	echo "--- sipp $1: exit ${2:-?}, successful $(tb_stat "$1" 'SuccessfulCall(C)')," \
		"failed $(tb_stat "$1" 'FailedCall(C)'), error codes '$(tb_error_codes "$1")'"
	[ -s "$W/$1/errors.log" ] && { echo "--- $1 errors.log (head)"; head -c 3000 "$W/$1/errors.log"; echo; }
	[ -s "$W/$1/messages.log" ] && { echo "--- $1 messages.log (tail)"; tail -60 "$W/$1/messages.log"; }
	return 0
}

# tb_sipp_check NAME RC WANT_RC WANT_SUCCESSFUL [WANT_FAILED]: a sipp ended
# with exit code WANT_RC after exactly WANT_SUCCESSFUL successful and
# WANT_FAILED (default 0) failed calls; otherwise the test fails with the
# sipp's errors and last messages.
tb_sipp_check() {
	tb_ok=$(tb_stat "$1" 'SuccessfulCall(C)')
	tb_bad=$(tb_stat "$1" 'FailedCall(C)')
	if [ "$2" != "$3" ] || [ "$tb_ok" != "$4" ] || [ "$tb_bad" != "${5:-0}" ]; then
		tb_sipp_report "$1" "$2"
		fail "$1: exit $2, $tb_ok successful, $tb_bad failed; expected exit $3, $4 successful, ${5:-0} failed"
	fi
}

# tb_uas_done NAME WANT_SUCCESSFUL [WANT_FAILED] [SECONDS]: wait for the
# background callee (started with -m) to finish, then tb_sipp_check it
# (exit 0 when nothing failed, 1 otherwise).
tb_uas_done() {
	tb_wait_exit "$UAS_PID" "${4:-60}"
	tb_want=0
	[ "${3:-0}" -ne 0 ] && tb_want=1
	tb_sipp_check "$1" "$TB_RC" "$tb_want" "$2" "${3:-0}"
}

# tb_need_tool NAME: $BUILD/tools/NAME, built from tests/tools/NAME.c, is
# there (`make test` builds the tools; alone: make $BUILD/tools/NAME).
tb_need_tool() {
	[ -x "$BUILD/tools/$1" ] || fail "$BUILD/tools/$1 is not built (make $BUILD/tools/$1)"
}

# tb_stat_sum NAME COLUMN...: the sum of several tb_stat counters (e.g. the
# buckets of a ResponseTimeRepartition); "?" if one is missing.
tb_stat_sum() {
	tb_sn=$1
	shift
	tb_sum=0
	for tb_col in "$@"; do
		tb_v=$(tb_stat "$tb_sn" "$tb_col")
		case "$tb_v" in ''|*[!0-9]*) echo "?"; return ;; esac
		tb_sum=$((tb_sum + tb_v))
	done
	echo "$tb_sum"
}

# tb_wait_log NAME REGEX COUNT [SECONDS]: wait until $W/NAME.log has COUNT
# lines matching REGEX (extended).
tb_wait_log() {
	tb_i=0
	while [ "$(tb_log_count "$1" "$2")" -lt "$3" ]; do
		[ $tb_i -ge $((${4:-5} * 20)) ] && return 1
		sleep 0.05
		tb_i=$((tb_i + 1))
	done
}

# tb_daemons_stop: the end of a call test: sigd, then ccd, stop on SIGTERM
# with exit status 0 and no sanitizer report in their logs (SAN=1 builds).
tb_daemons_stop() {
	tb_alive
	tb_stop "$SIGD_PID" 10
	tb_rc=$?
	tb_forget "$SIGD_PID"
	[ $tb_rc -eq 0 ] || fail "sigd exited with status $tb_rc on SIGTERM"
	tb_stop "$CCD_PID" 10
	tb_rc=$?
	tb_forget "$CCD_PID"
	[ $tb_rc -eq 0 ] || fail "ccd exited with status $tb_rc on SIGTERM"
	for tb_f in sigd "$TB_CCD_LOG"; do
		grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$W/$tb_f.log" &&
			fail "sanitizer report in $tb_f.log: $(grep -m1 -E 'Sanitizer|runtime error' "$W/$tb_f.log")"
	done
	return 0
}

# tb_alive: both daemons still run (a crash fails the test at once).
tb_alive() {
	kill -0 "$SIGD_PID" 2>/dev/null || fail "sigd died"
	kill -0 "$CCD_PID" 2>/dev/null || fail "ccd died"
}

# What sigd and ccd hold after a test, from their DBUG logs (sigd/leg.c:
# "leg N: A -> B", "leg N closed|dropped"; ccd/call.c: "call N: A -> B").
# tb_open_legs prints "<legs> <active legs> <calls> <active calls>": legs
# not yet closed or dropped and calls not yet Dead, and of those the ones
# not even ending (a leg not in Disconnected, Failed or Dead; a call not in
# Disconnecting or Dead). An ended leg lingers 64*T1 = 32 s (answering
# retransmissions) before it is closed, and its call is freed only then.
tb_open_legs() {
	tb_l=$(awk '
		{ if (match($0, /leg [0-9]+: [A-Za-z]+ -> [A-Za-z]+/)) {
			n = split(substr($0, RSTART, RLENGTH), f, " ")
			id = f[2]; sub(/:$/, "", id); st[id] = f[n]
		  } else if (match($0, /leg [0-9]+ (closed|dropped)/)) {
			split(substr($0, RSTART, RLENGTH), f, " "); gone[f[2]] = 1
		  } }
		END { all = 0; act = 0
			for (id in st) if (!(id in gone)) { all++
				if (st[id] != "Disconnected" && st[id] != "Failed" && st[id] != "Dead") act++ }
			print all, act }' "$W/sigd.log" 2>/dev/null)
	tb_c=$(awk '
		match($0, /call [0-9]+: [A-Za-z]+ -> [A-Za-z]+/) {
			n = split(substr($0, RSTART, RLENGTH), f, " ")
			id = f[2]; st[id] = f[n] }
		END { all = 0; act = 0
			for (id in st) if (st[id] != "Dead") { all++
				if (st[id] != "Disconnecting") act++ }
			print all, act }' "$W/$TB_CCD_LOG.log" 2>/dev/null)
	echo "${tb_l:-? ?} ${tb_c:-? ?}"
}

# How long a finished leg lingers (64*T1) plus a margin.
TB_LINGER=${TB_LINGER:-$((64 * TB_T1 / 1000 + 8))}

tb_log_count() {
	grep -Ec "$2" "$W/$1.log" 2>/dev/null || true
}

# tb_check_no_legs [quick]: at the end of a test, no call may be left: it
# waits up to $TB_LINGER s (the 64*T1 linger of ended legs plus a margin)
# until every leg in sigd is closed and every call in ccd freed. With
# "quick" (or TB_LEAK_CHECK=quick) it only requires, within 10 s, that every
# leg has ended and every call is ending. A test that made no leg at all
# fails too, unless NONE_OK=1: the log lines would be missing.
tb_check_no_legs() {
	tb_mode=${TB_LEAK_CHECK:-${1:-full}}
	[ "${NONE_OK:-0}" = 1 ] || grep -qE 'leg [0-9]+: Idle -> ' "$W/sigd.log" ||
		fail "no 'leg N: Idle -> ...' line in sigd.log: cannot check for leftover legs"
	tb_i=0
	while :; do
		# shellcheck disable=SC2046 # four numbers
		set -- $(tb_open_legs)
		[ "$2" = 0 ] && [ "$4" = 0 ] && break
		[ $tb_i -ge 200 ] &&
			fail "calls still in progress 10 s after the test: sigd $2 active legs, ccd $4 active calls"
		sleep 0.05
		tb_i=$((tb_i + 1))
	done
	[ "$tb_mode" = full ] || return 0
	tb_i=0
	while :; do
		# shellcheck disable=SC2046 # four numbers
		set -- $(tb_open_legs)
		[ "$1" = 0 ] && [ "$3" = 0 ] && break
		[ $tb_i -ge $((TB_LINGER * 10)) ] &&
			fail "state left behind after ${TB_LINGER}s: sigd $1 legs not closed, ccd $3 calls not freed"
		sleep 0.1
		tb_i=$((tb_i + 1))
	done
}
