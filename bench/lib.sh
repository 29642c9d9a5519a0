# bench/lib.sh - sourced by bench/bench.sh: starting and stopping the
# systems under test and sipp, and reading CPU time and memory from /proc.
#
# Everything runs on 127.0.0.1 inside the benchmark's own network namespace:
#
#   caller sipp :5061 (holders :5063..) --> sigd :5060 --(ZeroMQ tcp :5555)-- ccd
#                                       \-> Kamailio :5062              \--> callee sipp :5070
#
# Each process is started directly with & (never a shell function in the
# background, whose $! would be a subshell) and stopped by its PID.

B_IP=127.0.0.1
B_PORT_OURS=5060
B_PORT_KAM=5062
B_PORT_UAC=5061
B_PORT_HOLD=5063	# holders use 5063, 5064, ... (one per level)
B_PORT_UAS=5070
B_CCD_BIND=tcp://127.0.0.1:5555
B_SIGD_METRICS=127.0.0.1:9109	# sigd's Prometheus endpoint (calls shed)
B_NEXT_CP=8800		# each sipp gets its own control and media ports
B_TCK=$(getconf CLK_TCK)
PEER_PID=""		# the cost phase's FreeRADIUS or rtpengine
B_T0=$(date +%s)

say() {
	printf '%4ss %s\n' "$(awk -v a="$B_T0" -v b="$(date +%s)" 'BEGIN { print b - a }')" "$*" |
		tee -a "$W/bench.log"
}

# res KEY VALUE: one result line for bench/report.py.
res() {
	echo "$1=$2" >>"$RES"
}

# ---------------------------------------------------------------- /proc

# tree PID...: the PIDs and all their descendants (threads' children too).
tree() {
	t_todo="$*" t_all=""
	while [ -n "$t_todo" ]; do
		# shellcheck disable=SC2086 # a list of PIDs
		set -- $t_todo
		[ $# -gt 0 ] || break
		t_p=$1
		shift
		t_todo="$*"
		[ -r "/proc/$t_p/stat" ] || continue
		t_all="$t_all $t_p"
		for t_c in /proc/"$t_p"/task/*/children; do
			t_todo="$t_todo $(cat "$t_c" 2>/dev/null)"
		done
	done
	echo "$t_all"
}

# cpu_ms PID...: utime + stime (fields 14 and 15 of /proc/PID/stat, every
# thread included) of the processes and their descendants, in ms. The
# clock tick is 10 ms: runs are sized to cost hundreds of ticks.
cpu_ms() {
	# shellcheck disable=SC2046 # a list of PIDs
	for c_p in $(tree "$@"); do cat "/proc/$c_p/stat" 2>/dev/null; done |
		awk -v tck="$B_TCK" '{ sub(/^.*\) /, ""); s += $12 + $13 } END { printf "%d\n", s * 1000 / tck }'
}

# cpu_split PID...: "<user ms> <system ms>" (fields 14 and 15 apart).
cpu_split() {
	# shellcheck disable=SC2046 # a list of PIDs
	for c_p in $(tree "$@"); do cat "/proc/$c_p/stat" 2>/dev/null; done |
		awk -v tck="$B_TCK" '{ sub(/^.*\) /, ""); u += $12; s += $13 }
			END { printf "%d %d\n", u * 1000 / tck, s * 1000 / tck }'
}

# rss_kb PID...: VmRSS summed over the given processes (not descendants).
rss_kb() {
	for r_p in "$@"; do cat "/proc/$r_p/status" 2>/dev/null; done |
		awk '$1 == "VmRSS:" { s += $2 } END { printf "%d\n", s }'
}

# pss_kb PID...: proportional set size over the processes and descendants:
# shared pages (Kamailio's shared memory, libraries) are counted once in
# total instead of once per process.
pss_kb() {
	# shellcheck disable=SC2046 # a list of PIDs
	for m_p in $(tree "$@"); do cat "/proc/$m_p/smaps_rollup" 2>/dev/null; done |
		awk '$1 == "Pss:" { s += $2 } END { printf "%d\n", s }'
}

# udp_drops: UDP receive-buffer drops in the namespace so far.
udp_drops() {
	awk '/^Udp:/ { n++; if (n == 1) { for (i = 1; i <= NF; i++) h[i] = $i }
		else { for (i = 1; i <= NF; i++) if (h[i] == "RcvbufErrors") print $i } }' /proc/net/snmp
}

# sock_drops PORT: datagrams the kernel dropped because the receive queue
# of the UDP socket bound to PORT was full (ss's skmem "d"), 0 if none.
sock_drops() {
	ss -Huamn "sport = :$1" 2>/dev/null | awk '{ if (match($0, /,d[0-9]+\)/)) { v = substr($0, RSTART + 2, RLENGTH - 3); s += v } }
		END { print s + 0 }'
}

now() {
	date +%s.%N
}

# elapsed T0 [T1]: seconds between two now()s, 3 decimals.
elapsed() {
	awk -v a="$1" -v b="${2:-$(now)}" 'BEGIN { printf "%.3f\n", b - a }'
}

# ---------------------------------------------------------------- processes

wait_udp() {
	w_i=0
	while ! ss -Huln "sport = :$1" 2>/dev/null | grep -q .; do
		[ $w_i -ge $((${2:-10} * 20)) ] && return 1
		sleep 0.05
		w_i=$((w_i + 1))
	done
}

wait_tcp() {
	w_i=0
	while ! ss -Htln "sport = :$1" 2>/dev/null | grep -q .; do
		[ $w_i -ge $((${2:-10} * 20)) ] && return 1
		sleep 0.05
		w_i=$((w_i + 1))
	done
}

# stop_pid PID [SECONDS]: SIGTERM twice (sigd and ccd drain calls in
# progress on the first and exit at once on the second), wait, then SIGKILL
# the process and every descendant it had before the TERM.
stop_pid() {
	[ -n "$1" ] || return 0
	kill -0 "$1" 2>/dev/null || { wait "$1" 2>/dev/null; return 0; }
	s_tree=$(tree "$1")
	kill -TERM "$1" 2>/dev/null
	sleep 0.2
	kill -TERM "$1" 2>/dev/null
	s_i=0
	while kill -0 "$1" 2>/dev/null && [ $s_i -lt $((${2:-10} * 10)) ]; do
		sleep 0.1
		s_i=$((s_i + 1))
	done
	for s_p in $s_tree; do
		kill -0 "$s_p" 2>/dev/null && kill -KILL "$s_p" 2>/dev/null
	done
	wait "$1" 2>/dev/null
	return 0
}

# Every PID started, for the exit trap (stopped in reverse order).
B_PIDS=""
started() {
	B_PIDS="$1 $B_PIDS"
}

# stop_all: stop_pid for every process started, all at once: TERM twice,
# up to 10 s for all to exit, then SIGKILL what is left of their trees.
stop_all() {
	a_trees=""
	for a_p in $B_PIDS; do
		kill -0 "$a_p" 2>/dev/null && a_trees="$a_trees $(tree "$a_p")"
		kill -TERM "$a_p" 2>/dev/null
	done
	sleep 0.2
	for a_p in $B_PIDS; do
		kill -TERM "$a_p" 2>/dev/null
	done
	a_i=0
	while [ $a_i -lt 100 ]; do
		a_left=0
		for a_p in $a_trees; do
			kill -0 "$a_p" 2>/dev/null && a_left=1
		done
		[ $a_left = 0 ] && break
		sleep 0.1
		a_i=$((a_i + 1))
	done
	for a_p in $a_trees; do
		kill -0 "$a_p" 2>/dev/null && kill -KILL "$a_p" 2>/dev/null
	done
	for a_p in $B_PIDS; do
		wait "$a_p" 2>/dev/null
	done
	B_PIDS=""
}

# sipp_ports: the next free control and media ports in $B_CP, $B_MP.
sipp_ports() {
	B_CP=$B_NEXT_CP
	B_MP=$((10000 + (B_NEXT_CP - 8800) * 10))
	B_NEXT_CP=$((B_NEXT_CP + 1))
}

# start_uas: the callee on :5070 ($UAS_PID), a fresh one per system under
# test so that calls a holder left open do not stay in it.
start_uas() {
	sipp_ports
	mkdir -p "$W/uas.$B_CP"
	(cd "$W/uas.$B_CP" && exec nice -n "${SIPP_NICE:-0}" sipp -sf "$HERE/sipp/uas.xml" -i "$B_IP" -p "$B_PORT_UAS" \
		-cp "$B_CP" -mp "$B_MP" -nostdin -buff_size 4194304 \
		-trace_err -error_file err.log -max_log_size 10000000 >out.log 2>&1) &
	UAS_PID=$!
	started "$UAS_PID"
	wait_udp "$B_PORT_UAS" || { say "the callee sipp did not start: $(tail -3 "$W/uas.$B_CP/out.log")"; return 1; }
}

# start_ours [CCD ARGS...]: ccd, then sigd linked to it ($CCD_PID,
# $SIGD_PID), at the product's default log level (INFO: nothing per call)
# and with its default overload control, plus $OURS_OPTS for sigd (e.g.
# "--max-queue-delay 0": off) and $CCD_OPTS for ccd. ccd's authorisation and
# routing: ARGS, by default "-u -s <the callee>" (no RADIUS, the static
# route); the cost phase gives RADIUS or an RTP proxy instead.
start_ours() {
	[ $# -gt 0 ] || set -- -u -s "$B_IP:$B_PORT_UAS"
	# shellcheck disable=SC2086 # CCD_OPTS is an option list
	env SIPLOG_BEND=stderr "$BUILD/ccd" -f "$@" --bind "$B_CCD_BIND" \
		${CCD_OPTS:-} >>"$W/ccd.log" 2>&1 &
	CCD_PID=$!
	started "$CCD_PID"
	wait_tcp "${B_CCD_BIND##*:}" || { say "ccd did not start: $(tail -3 "$W/ccd.log")"; return 1; }
	touch "$W/sigd.log"
	s_before=$(grep -c 'welcomed node' "$W/sigd.log")
	# shellcheck disable=SC2086 # OURS_OPTS is an option list
	env SIPLOG_BEND=stderr "$BUILD/sigd" -f -l "$B_IP" -p "$B_PORT_OURS" --ccd "$B_CCD_BIND" \
		--node-id bench --metrics "$B_SIGD_METRICS" ${OURS_OPTS:-} >>"$W/sigd.log" 2>&1 &
	SIGD_PID=$!
	started "$SIGD_PID"
	s_i=0
	while [ "$(grep -c 'welcomed node' "$W/sigd.log")" -le "$s_before" ]; do
		[ $s_i -ge 200 ] && { say "sigd did not link to ccd: $(tail -3 "$W/sigd.log")"; return 1; }
		sleep 0.05
		s_i=$((s_i + 1))
	done
}

# start_kam: Kamailio with bench/kamailio.cfg ($KAM_PID: the attendant),
# plus $KAM_OPTS (e.g. "-x tlsf -X tlsf": another memory manager).
start_kam() {
	mkdir -p "$W/kamrun"
	# shellcheck disable=SC2086 # KAM_OPTS is an option list
	${KAM_RT:-} kamailio -f "$HERE/kamailio.cfg" -DD -E -n "$KAM_CHILDREN" -m "$KAM_SHM_MB" ${KAM_OPTS:-} \
		-Y "$W/kamrun" -P "$W/kamrun/kamailio.pid" \
		-A "CTL_SOCK=\"unix:$W/kamrun/kamailio_ctl\"" >>"$W/kamailio.log" 2>&1 &
	KAM_PID=$!
	started "$KAM_PID"
	wait_udp "$B_PORT_KAM" || { say "kamailio did not start: $(tail -3 "$W/kamailio.log")"; return 1; }
	sleep 0.5
}

# up TARGET [CCD ARGS...] / down TARGET: a fresh callee and system under test: ours
# (ARGS: see start_ours),
# kam (Kamailio as Debian ships it: its default "qm" memory manager) or
# kamt (the same with the TLSF memory manager, -x tlsf -X tlsf); $PORT is where callers send, $TPIDS the processes to measure,
# $SETTLE how long, after some calls, until the system holds nothing of
# them (ours: the 64*T1 linger of ended legs and transactions; Kamailio:
# tm's 5 s wait timer) and its CPU time for them is all spent.
up() {
	u_t=$1
	shift
	start_uas || return 1
	case $u_t in
	ours) start_ours "$@" || return 1; PORT=$B_PORT_OURS; TPIDS="$SIGD_PID $CCD_PID" SETTLE=$OURS_SETTLE_S ;;
	kam) start_kam || return 1; PORT=$B_PORT_KAM; TPIDS=$KAM_PID SETTLE=$KAM_SETTLE_S ;;
	kamt) KAM_OPTS="-x tlsf -X tlsf ${KAM_OPTS:-}" start_kam || return 1
		PORT=$B_PORT_KAM TPIDS=$KAM_PID SETTLE=$KAM_SETTLE_S ;;
	esac
	sleep 0.5
}

down() {
	stop_all
	PEER_PID=""
	sleep 0.5
}

# tcpu TARGET: "<ms> <ms>" for ours (sigd ccd), "<ms>" for kam (all its
# processes). With $PEER_PID set (the cost phase: FreeRADIUS or
# rtpengine, all threads), ours is "<sigd> <ccd> <peer>".
tcpu() {
	case $1 in
	ours) echo "$(cpu_ms "$SIGD_PID") $(cpu_ms "$CCD_PID")${PEER_PID:+ $(cpu_ms "$PEER_PID")}" ;;
	kam*) cpu_ms "$KAM_PID" ;;
	esac
}

# tsplit TARGET: user and system ms, "<sigd u> <sigd s> <ccd u> <ccd s>"
# (then "<peer u> <peer s>" with $PEER_PID) or "<u> <s>" for Kamailio.
tsplit() {
	case $1 in
	ours) echo "$(cpu_split "$SIGD_PID") $(cpu_split "$CCD_PID")${PEER_PID:+ $(cpu_split "$PEER_PID")}" ;;
	kam*) cpu_split "$KAM_PID" ;;
	esac
}

# ---------------------------------------------------------------- peers
# The servers ccd talks to in the cost phase, in the benchmark's
# namespace, started before ccd ($PEER_PID; stopped by stop_all).

B_RAD_PORT=18120	# FreeRADIUS: auth here, accounting on the next port
B_RAD_SECRET=testing123	# as in tests/radius/raddb/clients.conf
B_RTPE_NG=2223		# rtpengine's ng control port

# start_radius: FreeRADIUS with the project's configuration (a copy of
# tests/radius/raddb in $W/radius/raddb, the one the RADIUS end-to-end tests
# run: detail files of every Access-Request and accounting request) and
# bench/radius/users (the caller's address accepted, one route: the
# callee). Without -X/-xx: no per-request debug output. Waits until it
# answers Status-Server; writes $W/radius/radiusclient.conf for ccd -R.
start_radius() {
	rd=$W/radius
	rm -rf "$rd"
	mkdir -p "$rd/raddb"
	cp -r "$ROOT/tests/radius/raddb/." "$rd/raddb/" || return 1
	cp "$HERE/radius/users" "$rd/raddb/users" || return 1
	mkdir -p "$rd/raddb/log" "$rd/raddb/run" "$rd/raddb/radacct"
	sed -i -e "s/@AUTH_PORT@/$B_RAD_PORT/" -e "s/@ACCT_PORT@/$((B_RAD_PORT + 1))/" "$rd/raddb/radiusd.conf"
	printf '%s\t%s\n' "$B_IP" "$B_RAD_SECRET" >"$rd/servers"
	cat >"$rd/radiusclient.conf" <<-EOF
		# written by bench/lib.sh (start_radius), as tests/e2e/radius.inc does
		authserver	$B_IP:$B_RAD_PORT
		acctserver	$B_IP:$((B_RAD_PORT + 1))
		servers		$rd/servers
		dictionary	$ROOT/etc/radius/dictionary
		radius_timeout	2
		radius_retries	1
		bindaddr	*
	EOF
	freeradius -f -d "$rd/raddb" >>"$rd/radius.log" 2>&1 &
	PEER_PID=$!
	started "$PEER_PID"
	r_i=0
	until echo 'Message-Authenticator = 0x00' |
		radclient -q -r 1 -t 1 "$B_IP:$B_RAD_PORT" status "$B_RAD_SECRET" >/dev/null 2>&1; do
		r_i=$((r_i + 1))
		if [ $r_i -ge 50 ] || ! kill -0 "$PEER_PID" 2>/dev/null; then
			say "FreeRADIUS did not start: $(tail -3 "$rd/radius.log")"
			return 1
		fi
		sleep 0.2
	done
}

# rad_count FILE_PREFIX PATTERN: lines matching PATTERN in FreeRADIUS's
# detail files (detail-*: accounting; auth-detail-*: Access-Requests).
rad_count() {
	cat "$W/radius/raddb/radacct"/*/"$1"-* 2>/dev/null | grep -c -- "$2"
}

# start_rtpengine: rtpengine as tests/e2e/media.inc starts it (userspace
# forwarding only: --table=-1; sessions deleted at once on "delete"), ng
# on $B_IP:$B_RTPE_NG, at log level $RTPE_LOG_LEVEL (default 6, INFO:
# rtpengine's own default); waits until the port is bound.
start_rtpengine() {
	rtpengine --config-file=none --table=-1 --foreground --log-stderr --log-level="${RTPE_LOG_LEVEL:-6}" \
		--interface="$B_IP" --listen-ng="$B_IP:$B_RTPE_NG" \
		--port-min=30000 --port-max=39999 --delete-delay=0 \
		--pidfile="$W/rtpengine.pid" >>"$W/rtpengine.log" 2>&1 &
	PEER_PID=$!
	started "$PEER_PID"
	wait_udp "$B_RTPE_NG" || { say "rtpengine did not start: $(tail -3 "$W/rtpengine.log")"; return 1; }
}

# tmem TARGET: memory in kB. Ours: "<sigd RSS> <ccd RSS>". Kamailio: the
# PSS of all its processes (their RSS would count the shared memory once per
# process).
tmem() {
	case $1 in
	ours) echo "$(rss_kb "$SIGD_PID") $(rss_kb "$CCD_PID")" ;;
	kam*) pss_kb "$KAM_PID" ;;
	esac
}

# ---------------------------------------------------------------- sipp

# uac NAME PORT RATE CALLS [SIPP ARGS...]: a caller in the foreground, in
# $W/NAME/, with statistics and per-message counts; $RC is its exit code.
uac() {
	u_n=$1 u_port=$2 u_rate=$3 u_calls=$4
	shift 4
	sipp_ports
	rm -rf "${W:?}/$u_n"
	mkdir -p "$W/$u_n"
	(cd "$W/$u_n" && exec nice -n "${SIPP_NICE:-0}" sipp "$B_IP:$u_port" -sf "$HERE/sipp/uac.xml" -i "$B_IP" \
		-p "$B_PORT_UAC" -cp "$B_CP" -mp "$B_MP" -r "$u_rate" -m "$u_calls" -d 0 \
		-l 50000 -nostdin -pause_msg_ign -buff_size 4194304 \
		-trace_stat -stf stat.csv -fd 200ms -trace_counts \
		-trace_err -error_file err.log -trace_error_codes -max_log_size 10000000 \
		-timeout "${UAC_TIMEOUT:-120}s" -timeout_error "$@" >out.log 2>&1)
	RC=$?
}

# stat NAME COLUMN: a counter from the last line of $W/NAME/stat.csv.
stat() {
	awk -F';' -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ last = $0 }
		END { if (!c || last == "") { print "?"; exit } split(last, f, ";"); print f[c] }
	' "$W/$1/stat.csv" 2>/dev/null || echo "?"
}

# offered NAME CALLS: the rate at which sipp really created calls, from
# its statistics lines (every 200 ms): the slope of OutgoingCall(C) between
# 10% of CALLS and the last line before all were created. sipp's own
# CallRate(C) also counts the time the last calls took to end, so a few
# retransmissions at the end of a short run would look like a low rate.
offered() {
	awk -F';' -v n="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "OutgoingCall(C)") c = i; if ($i == "CallRate(C)") r = i }; next }
		{ split($1, a, "\t"); t = a[3]; s = $c; last = $r
		  if (!t1 && s >= 0.1 * n) { t1 = t; s1 = s }
		  if (s < n) { t2 = t; s2 = s } }
		END { if (t1 && t2 > t1 && s2 > s1) printf "%.0f\n", (s2 - s1) / (t2 - t1); else printf "%.0f\n", last }
	' "$W/$1/stat.csv" 2>/dev/null || echo 0
}

# count NAME COLUMN: a per-message counter (e.g. 6_Pause_Sessions) from the
# last line of the counts file in $W/NAME/.
count() {
	for c_f in "$W/$1"/*_counts.csv; do break; done
	[ -f "$c_f" ] || { echo 0; return; }
	awk -F';' -v col="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; next }
		{ last = $0 }
		END { if (!c || last == "") { print 0; exit } split(last, f, ";"); print f[c] + 0 }
	' "$c_f"
}

# error_codes NAME: the response codes sipp did not expect, as
# "code:count ...".
error_codes() {
	cat "$W/$1"/*_error_codes.csv 2>/dev/null |
		awk -F';' '{ for (i = 3; i <= NF; i++) { n = split($i, f, ","); for (j = 1; j <= n; j++) if (f[j] != "") k[f[j]]++ } }
			END { for (code in k) printf "%s:%d ", code, k[code] }'
}

# holder NAME PORT LOCAL_PORT RATE CALLS: a caller in the background that
# sets up CALLS calls and holds them for an hour ($HOLD_PID).
holder() {
	sipp_ports
	rm -rf "${W:?}/$1"
	mkdir -p "$W/$1"
	(cd "$W/$1" && exec nice -n "${SIPP_NICE:-0}" sipp "$B_IP:$2" -sf "$HERE/sipp/uac.xml" -i "$B_IP" -p "$3" \
		-cp "$B_CP" -mp "$B_MP" -r "$4" -m "$5" -l "$5" -d "${HOLD_MS:-3600000}" \
		-nostdin -buff_size 4194304 -trace_stat -stf stat.csv -fd 1 -trace_counts \
		-trace_err -error_file err.log -max_log_size 10000000 >out.log 2>&1) &
	HOLD_PID=$!
	started "$HOLD_PID"
}

# wait_held NAME CALLS SECONDS: wait until each of the CALLS calls of the
# holder NAME is established (in its pause) or failed, or SECONDS pass.
# Prints how many are established.
wait_held() {
	h_i=0
	while :; do
		h_n=$(count "$1" 6_Pause_Sessions)
		[ "$h_n" -ge "$2" ] && break
		h_f=$(stat "$1" 'FailedCall(C)')
		case $h_f in '' | *[!0-9]*) h_f=0 ;; esac
		[ $((h_n + h_f)) -ge "$2" ] && break
		[ $h_i -ge $(($3 * 2)) ] && break
		sleep 0.5
		h_i=$((h_i + 1))
	done
	count "$1" 6_Pause_Sessions
}

# ---------------------------------------------------------------- latency

sniff_start() {
	"$BUILD/bench/sipsniff" "$W/$1.sniff" 2>>"$W/sniff.log" &
	SNIFF_PID=$!
	started "$SNIFF_PID"
	sleep 0.3
}

sniff_stop() {
	kill -TERM "$SNIFF_PID" 2>/dev/null
	wait "$SNIFF_PID" 2>/dev/null
}

# sigd_metric SERIES: one value from sigd's metrics ("?" when unreadable).
sigd_metric() {
	curl -sf "http://$B_SIGD_METRICS/metrics" 2>/dev/null |
		awk -v s="$1" '$1 == s { print $2; found = 1 } END { if (!found) print "?" }'
}
