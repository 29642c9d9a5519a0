#!/bin/sh
# pre_auth_proc and po_proc (sippy-behaviour §1.6) against a real
# FreeRADIUS (radius.inc), ccd -x 'HDR2Xattrs[X-Acct]' -A 2:
#  8001: the caller's INVITE has
#          X-Acct: Connect-Info=gold; Filter-Id=;Callback-Number=5550199
#          X-Acct: h323-ivr-out=acct42
#        -> its Access-Request carries Connect-Info = gold,
#        Callback-Number = 5550199 and Cisco-AVPair = h323-ivr-out=acct42
#        (the empty Filter-Id is skipped); the route has
#        po_proc=VAL2Xattrs[Filter-Id=po-both,h323-ivr-out=po42] -> the
#        Start and Stop records of both legs carry Filter-Id = po-both and
#        Cisco-AVPair = h323-ivr-out=po42, and none of the X-Acct pairs.
#  8002: po_proc=VAL2XattrsO[Filter-Id=orig-only]: originate records only.
#  8003: po_proc=VAL2XattrsA[Filter-Id=answer-only]: answer records only.
#  8004: po_proc=Nop[whatever]: no extra attribute anywhere.
# Calls without X-Acct get no such attribute in their Access-Request.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/radius.inc"

cat >"$W/users" <<'EOF'
"127.0.0.1"	Called-Station-Id == "8001", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;po_proc=VAL2Xattrs[Filter-Id=po-both,h323-ivr-out=po42]"

"127.0.0.1"	Called-Station-Id == "8002", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;po_proc=VAL2XattrsO[Filter-Id=orig-only]"

"127.0.0.1"	Called-Station-Id == "8003", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;po_proc=VAL2XattrsA[Filter-Id=answer-only]"

"127.0.0.1"	Called-Station-Id == "8004", Auth-Type := Accept
	Cisco-AVPair = "h323-ivr-in=Routing:127.0.0.1:5070;po_proc=Nop[whatever]"

DEFAULT	Auth-Type := Reject
	Reply-Message = "unknown caller"
EOF
rad_setup "$W/users" -x 'HDR2Xattrs[X-Acct]' -A 2

sed 's|^\( *\)Subject: Performance Test|&\n\1X-Acct: Connect-Info=gold; Filter-Id=;Callback-Number=5550199\n\1X-Acct: h323-ivr-out=acct42|' \
	"$TB_SCEN/uac_rr.xml" >"$W/uac_xacct.xml"
grep -q 'X-Acct: h323-ivr-out=acct42' "$W/uac_xacct.xml" || fail "cannot make the caller's scenario"

# call NUMBER SCENARIO: one answered call to NUMBER, both sides checked.
call() {
	rad_uas "callee_$1" uas_rr 5070 -m 1
	tb_uac "caller_$1" "$2" -m 1 -d 200 -s "$1"
	tb_sipp_check "caller_$1" "$TB_RC" 0 1
	tb_uas_done "callee_$1" 1
}
call 8001 "$W/uac_xacct.xml"
call 8002 uac_rr
call 8003 uac_rr
call 8004 uac_rr

# The Access-Requests.
[ "$(rad_auth_count "$W")" = 4 ] || fail "FreeRADIUS got $(rad_auth_count "$W") Access-Requests, expected 4"
for i in 1 2 3 4; do
	rad_auth_records "$W" "" $i >"$W/auth$i"
	n=$(rad_attr Called-Station-Id <"$W/auth$i")
	if [ "$n" = 8001 ]; then
		rad_expect "$W/auth$i" Connect-Info gold
		rad_expect "$W/auth$i" Callback-Number 5550199
		rad_expect "$W/auth$i" Cisco-AVPair h323-ivr-out=acct42
		rad_expect_none "$W/auth$i" Filter-Id
	else
		for a in Connect-Info Callback-Number Filter-Id; do
			rad_expect_none "$W/auth$i" $a
		done
		rad_attr Cisco-AVPair <"$W/auth$i" | grep -q '^h323-ivr-out=' && fail "auth$i ($n): h323-ivr-out without X-Acct"
	fi
done
echo "ok: HDR2Xattrs[X-Acct]: the Access-Request carried Connect-Info, Callback-Number and h323-ivr-out"

# The accounting records: Start and Stop of both legs of each call.
rad_wait_detail "$W" Stop answer 4 || fail "not 4 answer Stop records: $(rad_detail "$W")"
rad_wait_detail "$W" Stop originate 4 || fail "not 4 originate Stop records: $(rad_detail "$W")"

# records NUMBER: the 4 records of the call to NUMBER into
# $W/acct_NUMBER_{Start,Stop}_{answer,originate}.
records() {
	for st in Start Stop; do
		for org in answer originate; do
			f="$W/acct_$1_${st}_$org"
			rad_detail_find "$W" $st $org Called-Station-Id "$1" >"$f" ||
				fail "no $st $org record with Called-Station-Id $1: $(rad_detail "$W")"
		done
	done
}

# extra FILE FILTER_ID PO42: the record FILE has Filter-Id FILTER_ID and,
# if PO42 is 1, Cisco-AVPair h323-ivr-out=po42 ("" / 0: none of them);
# never an X-Acct pair.
extra() {
	if [ -n "$2" ]; then
		rad_expect "$1" Filter-Id "$2"
	else
		rad_expect_none "$1" Filter-Id
	fi
	if [ "$3" = 1 ]; then
		rad_expect "$1" Cisco-AVPair h323-ivr-out=po42
	else
		rad_attr Cisco-AVPair <"$1" | grep -q '^h323-ivr-out=' &&
			{ cat "$1"; fail "$(basename "$1"): unexpected h323-ivr-out"; }
	fi
	rad_expect_none "$1" Connect-Info
	rad_expect_none "$1" Callback-Number
	rad_attr Cisco-AVPair <"$1" | grep -q 'acct42' && { cat "$1"; fail "$(basename "$1"): an X-Acct pair in accounting"; }
	return 0
}

records 8001
records 8002
records 8003
records 8004
for st in Start Stop; do
	extra "$W/acct_8001_${st}_answer" po-both 1
	extra "$W/acct_8001_${st}_originate" po-both 1
	extra "$W/acct_8002_${st}_answer" "" 0
	extra "$W/acct_8002_${st}_originate" orig-only 0
	extra "$W/acct_8003_${st}_answer" answer-only 0
	extra "$W/acct_8003_${st}_originate" "" 0
	extra "$W/acct_8004_${st}_answer" "" 0
	extra "$W/acct_8004_${st}_originate" "" 0
done
echo "ok: VAL2Xattrs on both legs' records, VAL2XattrsO originate only, VAL2XattrsA answer only, Nop nothing"

tb_alive
tb_check_no_legs
tb_daemons_stop
rad_stop
pass "HDR2Xattrs pairs go into the Access-Request, VAL2Xattrs* pairs into the accounting records"
