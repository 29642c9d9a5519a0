#!/bin/sh
# -H (hide_call_id, sippy-behaviour §1.18): every callee sees the Call-ID
# md5hex(<ingress Call-ID>)-b2b_<attempt>, never the caller's own.
#  1. -u -s route: one attempt, Call-ID md5hex(cid)-b2b_1 on the INVITE,
#     its ACK and the BYE the caller's hang-up becomes.
#  2. RADIUS routes (radius.inc), route 1 answers 486: route 1 sees
#     md5hex(cid)-b2b_1, route 2 md5hex(cid)-b2b_2; the caller's own
#     Call-ID never appears anywhere in what either callee received, and
#     the accounting records still name the caller's Call-ID.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

# md5hex TEXT: the md5 of TEXT (no newline), lower-case hex.
md5hex() {
	printf '%s' "$1" | md5sum | cut -d' ' -f1
}

# callids NAME: the distinct Call-IDs of every message the sipp NAME
# received, space-separated.
callids() {
	rad_msg_hdr "$1" received '.' Call-ID | sort -u | tr '\n' ' ' | sed 's/ $//'
}

# hidden NAME CID WANT: the sipp NAME received only Call-ID WANT (and at
# least an INVITE with it), and CID appears nowhere in what it received.
hidden() {
	[ "$(callids "$1")" = "$3" ] || fail "$1 received Call-IDs '$(callids "$1")', expected only '$3'"
	[ "$(rad_msg_hdr "$1" received '^INVITE ' Call-ID | sort -u)" = "$3" ] ||
		fail "$1: no INVITE with Call-ID $3"
	grep -qF -- "$2" "$W/$1/messages.log" && fail "$1 saw the ingress Call-ID $2: $(grep -m1 -F -- "$2" "$W/$1/messages.log")"
	return 0
}

# 1. Static route, no RADIUS.
TB_CCD_OPTS="-H"
tb_call_setup uas_rr -m 1
tb_uac caller1 uac_rr -m 1 -d 300
tb_sipp_check caller1 "$TB_RC" 0 1
tb_uas_done callee 1
cid=$(rad_msg_hdr caller1 sent '^INVITE ' Call-ID | head -1)
[ -n "$cid" ] || fail "no Call-ID in the caller's INVITE"
hidden callee "$cid" "$(md5hex "$cid")-b2b_1"
for m in '^ACK ' '^BYE '; do
	[ "$(rad_msg_hdr callee received "$m" Call-ID | sort -u)" = "$(md5hex "$cid")-b2b_1" ] ||
		fail "the callee's $m had Call-ID '$(rad_msg_hdr callee received "$m" Call-ID | sort -u)'"
done
# The caller keeps its own Call-ID in everything it got back.
[ "$(callids caller1)" = "$cid" ] || fail "the caller received Call-IDs '$(callids caller1)', expected '$cid'"
echo "ok: -u -s: the callee saw only md5hex(Call-ID)-b2b_1 = $(md5hex "$cid")-b2b_1"
tb_alive
tb_check_no_legs quick
tb_daemons_stop

# 2. RADIUS routes, the first busy: two attempts, both hidden.
cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "2001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070",
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5072"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
TB_CCD_LOG=ccd2
rm -f "$W/sigd.log"
rad_setup "$W/users" -H
rad_uas busy uas_reject 5070 -m 1
busy_pid=$UAS_PID
rad_uas answer uas_rr 5072 -m 1
answer_pid=$UAS_PID
tb_uac caller2 uac_rr -m 1 -d 300 -s 2001
tb_sipp_check caller2 "$TB_RC" 0 1
rad_sipp_done "$busy_pid" busy 1
rad_sipp_done "$answer_pid" answer 1
cid=$(rad_msg_hdr caller2 sent '^INVITE ' Call-ID | head -1)
hidden busy "$cid" "$(md5hex "$cid")-b2b_1"
hidden answer "$cid" "$(md5hex "$cid")-b2b_2"
# Accounting is the operator's: it names the caller's Call-ID.
rad_wait_detail "$W" Stop originate 2 || fail "not 2 originate Stop records: $(rad_detail "$W")"
rad_detail_find "$W" Stop answer Acct-Session-Id "$cid" >/dev/null ||
	fail "no answer Stop record with Acct-Session-Id $cid: $(rad_detail "$W")"
[ "$(rad_detail_count "$W" Stop originate)" = 2 ] || fail "$(rad_detail_count "$W" Stop originate) originate Stop records, expected 2"
for i in 1 2; do
	rad_detail_records "$W" Stop originate $i >"$W/stop_o$i"
	rad_expect "$W/stop_o$i" Acct-Session-Id "$cid"
done
echo "ok: RADIUS routes: attempt 1 $(md5hex "$cid")-b2b_1, attempt 2 ...-b2b_2; accounting keeps $cid"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "-H: callees see md5hex(Call-ID)-b2b_N only, on every attempt"
