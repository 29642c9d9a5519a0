/*
 * dispatch.h - sigd's transaction user: every request that starts a server
 * transaction, every ACK for a 2xx and every CANCEL comes here from the
 * transaction layer (tsx.h) and goes to the leg it belongs to, or is
 * answered out of dialog.
 *
 *   To tag present        the leg of (Call-ID, To tag), else 481 (ACK: dropped)
 *   INVITE without tag    a new answer leg; 483 when Max-Forwards is 0; 503
 *                         with Retry-After while ccd is not reachable or the
 *                         node is at its leg limit
 *   OPTIONS without tag   200 with Allow, Accept, Supported (load balancers
 *                         probe with it)
 *   BYE without tag       481
 *   anything else         501
 */
#ifndef TANDEM_SIGD_DISPATCH_H
#define TANDEM_SIGD_DISPATCH_H

#include "tsx.h"

extern const struct tsx_user_ops sigd_dispatch_ops;

#endif
