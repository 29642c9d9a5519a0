#!/bin/sh
# `make run`: ccd and sigd in the foreground on the embedded default
# (sigd on $LISTEN, every call routed to $REMOTE); Ctrl-C stops both.
set -u
BUILD=${BUILD:-build}
LISTEN=${LISTEN:-127.0.0.1:5060}
REMOTE=${REMOTE:-127.0.0.1:5070}
BIND=${BIND:-tcp://127.0.0.1:5555}

case "$LISTEN" in
\[*\]:*) addr=${LISTEN%:*}; addr=${addr#[}; addr=${addr%]}; port=${LISTEN##*:} ;;
*:*) addr=${LISTEN%:*}; port=${LISTEN##*:} ;;
*) addr=$LISTEN; port=5060 ;;
esac

"$BUILD/ccd" -f -u -s "$REMOTE" --bind "$BIND" &
ccd_pid=$!
"$BUILD/sigd" -f -l "$addr" -p "$port" --ccd "$BIND" --node-id run-node &
sigd_pid=$!

# SIGINT, not SIGTERM: the daemons drain calls on SIGTERM, but Ctrl-C means now.
stop() {
	trap - INT TERM
	kill -INT "$sigd_pid" "$ccd_pid" 2>/dev/null
	wait "$sigd_pid" "$ccd_pid" 2>/dev/null
	exit 0
}
trap stop INT TERM
echo "run: sigd (pid $sigd_pid) on $LISTEN, ccd (pid $ccd_pid) routing to $REMOTE; Ctrl-C stops both"
# If either daemon exits on its own (bad address, port in use), stop the other.
while kill -0 "$sigd_pid" 2>/dev/null && kill -0 "$ccd_pid" 2>/dev/null; do
	sleep 1
done
kill -INT "$sigd_pid" "$ccd_pid" 2>/dev/null
wait "$sigd_pid"; rc1=$?
wait "$ccd_pid"; rc2=$?
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ]
