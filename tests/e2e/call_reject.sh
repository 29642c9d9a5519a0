#!/bin/sh
# The callee's 486 Busy Here and 503 reach the caller with their code and
# reason phrase (the 503's is not the standard one, "Callee Overloaded", so
# a 503 sigd or ccd made up itself does not pass); each side's ACK is sent
# (the callee expects the ACK of its final response, with the INVITE's
# branch).
. "$(dirname "$0")/lib.sh"

tb_ccd_start
tb_sigd_start
tb_sigd_ready || fail "ccd did not welcome sigd within 5 s"
for r in "486 Busy Here" "503 Callee Overloaded"; do
	code=${r%% *}
	sed -e "s/486 Busy Here/$r/" "$TB_SCEN/uas_reject.xml" >"$W/uas_$code.xml"
	sed -e "s/486 Busy Here/$r/" -e "s/486/$code/g" "$TB_SCEN/uac_reject.xml" >"$W/uac_$code.xml"
	tb_uas "callee$code" "$W/uas_$code.xml" -m 1
	tb_uac "caller$code" "$W/uac_$code.xml" -m 1
	tb_sipp_check "caller$code" "$TB_RC" 0 1
	tb_uas_done "callee$code" 1
	echo "ok: $r relayed"
done
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "486 and 503 from the callee relayed to the caller"
