#!/bin/sh
# --cpu: each daemon and every one of its threads (the event loop,
# ZeroMQ's I/O and reaper threads, ccd's RADIUS workers) runs only on the
# CPUs given, and calls go through as before.
. "$(dirname "$0")/lib.sh"

cpu=$(cut -d- -f1 /sys/devices/system/cpu/online | cut -d, -f1)
TB_CCD_OPTS="$TB_CCD_OPTS --cpu $cpu"
TB_SIGD_OPTS="$TB_SIGD_OPTS --cpu $cpu"
tb_call_setup uas_rr -m 5
tb_uac caller uac_rr -m 5 -r 10 -d 100
tb_sipp_check caller "$TB_RC" 0 5
tb_uas_done callee 5

# every thread of both, pinned
for pid in "$SIGD_PID" "$CCD_PID"; do
	n=0
	for st in /proc/"$pid"/task/*/status; do
		allowed=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "$st")
		[ "$allowed" = "$cpu" ] || fail "thread $(basename "$(dirname "$st")") of $pid may run on '$allowed', not '$cpu'"
		n=$((n + 1))
	done
	[ "$n" -ge 2 ] || fail "process $pid has $n threads: ZeroMQ's I/O thread missing?"
done
tb_alive
tb_daemons_stop
pass "--cpu $cpu pins every thread of sigd and ccd; 5 calls went through"
