#!/bin/sh
# Record-Route on both sides (RFC 3261 12.1, 12.2): the caller's INVITE and
# the callee's 200 carry Record-Route entries pointing at the sipps
# themselves, and their Contacts point at ports where nothing listens. So
# sigd's ACK and INFO to the callee and the BYE it relays to the caller
# arrive only if they follow the route set (Route header, Request-URI = the
# Contact); the 200 to the caller must echo its Record-Route.
. "$(dirname "$0")/lib.sh"

tb_call_setup uas_rr_route -m 1
tb_uac caller uac_rr_route -m 1
tb_sipp_check caller "$TB_RC" 0 1
tb_uas_done callee 1
tb_alive
tb_check_no_legs
tb_daemons_stop
pass "in-dialog requests follow the route sets"
