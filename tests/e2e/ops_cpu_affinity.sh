#!/bin/sh
# --cpu: each daemon and every one of its threads (the event loop,
# ZeroMQ's I/O and reaper threads, ccd's RADIUS workers) runs only on the
# CPUs given, and calls go through as before. --zmq-cpu: ZeroMQ's threads
# of sigd on the CPUs given instead (another CPU when there are two).
. "$(dirname "$0")/lib.sh"

online=/sys/devices/system/cpu/online
cpu=$(cut -d- -f1 "$online" | cut -d, -f1)
# a second CPU this process may use, else the first again
zcpu=$(taskset -cp $$ | sed 's/.*: //' | tr ',' '\n' | sed 's/-.*//' | grep -vx "$cpu" | head -1)
[ -n "$zcpu" ] || zcpu=$cpu
TB_CCD_OPTS="$TB_CCD_OPTS --cpu $cpu"
TB_SIGD_OPTS="$TB_SIGD_OPTS --cpu $cpu --zmq-cpu $zcpu"
tb_call_setup uas_rr -m 5
tb_uac caller uac_rr -m 5 -r 10 -d 100
tb_sipp_check caller "$TB_RC" 0 5
tb_uas_done callee 5

# every thread of both, pinned; sigd's ZeroMQ threads where --zmq-cpu said
for pid in "$SIGD_PID" "$CCD_PID"; do
	n=0 nz=0
	for t in /proc/"$pid"/task/*; do
		allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$t/status")
		want=$cpu
		case "$pid:$(cat "$t/comm")" in
		"$SIGD_PID:ZMQbg"*) want=$zcpu nz=$((nz + 1)) ;;
		esac
		[ "$allowed" = "$want" ] ||
			fail "thread $(cat "$t/comm") ($(basename "$t")) of $pid may run on '$allowed', not '$want'"
		n=$((n + 1))
	done
	[ "$n" -ge 2 ] || fail "process $pid has $n threads: ZeroMQ's I/O thread missing?"
	[ "$pid" != "$SIGD_PID" ] || [ "$nz" -ge 1 ] || fail "sigd has no ZeroMQ thread"
done
tb_alive
tb_daemons_stop
pass "--cpu $cpu pins every thread of sigd and ccd, --zmq-cpu $zcpu sigd's ZeroMQ threads; 5 calls went through"
