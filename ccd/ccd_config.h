/*
 * ccd_config.h - ccd's command line, parsed once into a typed struct.
 *
 * The letters and meanings are Sippy b2bua_radius's, so an operator's
 * existing command line keeps working; so do Sippy's long names
 * (--max_credit_time=60, --acct_enable=off) and its -C INI file, whose
 * [general] keys are those names (config_file.h; the command line
 * overrides the file). --bind adds the ZeroMQ endpoint the sigd nodes
 * connect to. `ccd -u -s host[:port]` (or `-n host[:port]`) is Sippy's
 * b2bua_simple. Every value is checked, and -t / -T compiled, here.
 */
#ifndef TANDEM_CCD_CONFIG_H
#define TANDEM_CCD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "cpu_affinity.h"
#include "netaddr.h"
#include "sdp.h"

#define CCD_DEFAULT_BIND "tcp://127.0.0.1:5555"
#define CCD_DEFAULT_DRAIN_S	30
#define CCD_MAX_DRAIN_S		86400
#define CCD_RTPP_MAX		16	/* -r RTP proxies */
#define CCD_MAX_RTPP_S		86400	/* --rtpp-retry, --rtpp-check */
#define CCD_ACCEPT_IPS_MAX	64	/* -a addresses */
#define CCD_PASS_HEADERS_MAX	16	/* -h header names */
#define CCD_HEADER_NAME_MAX	64
#define CCD_DEFAULT_RADIUS_WORKERS 20	/* -M, Sippy's max_radiusclients */
#define CCD_MAX_RADIUS_WORKERS	256
#define CCD_DEFAULT_ACCT_SPOOL	"/var/lib/tandem/acct.spool"
#define CCD_KEEPALIVE_S		32	/* -k: Sippy's keep-alive period */
#define CCD_MAX_PERIOD_S	86400	/* --keepalive_*, --alive_acct_int */
#define CCD_MAX_CREDIT_S	31536000	/* -m: a year */

struct config_file;	/* config_file.h: the -C file */

struct cld_rules;	/* cld_rewrite.h: compiled -t / -T rules */

/* Sippy's pre_auth_proc / po_proc routines (transform.h). */
enum transform_kind {
	TRANSFORM_NONE,
	TRANSFORM_NOP,		/* Nop[anything] */
	TRANSFORM_HDR2XATTRS,	/* HDR2Xattrs[Header-Name]: pre_auth_proc */
	TRANSFORM_VAL2XATTRS,	/* VAL2Xattrs[k=v,...]: both accounting legs */
	TRANSFORM_VAL2XATTRS_A,	/* answer leg only */
	TRANSFORM_VAL2XATTRS_O,	/* originate leg only */
};

struct ccd_config {
	bool foreground;		/* -f */
	const char *logfile;		/* -L */
	const char *pidfile;		/* -P */
	const char *bind;		/* --bind: ZeroMQ ROUTER endpoint */
	bool auth_disabled;		/* -u: no RADIUS authorisation */
	const char *static_route;	/* -s (alias -n): Sippy routing string */
	const char *control;		/* -c: control socket, Sippy's b2bua_socket
					   (unix:path, a bare path, tcp:host[:port]);
					   NULL = none */
	const char *metrics;		/* --metrics host:port: Prometheus endpoint */
	cpu_set_t cpus;			/* --cpu (cpu_affinity.h), when cpus_set */
	bool cpus_set;
	cpu_set_t zmq_cpus;		/* --zmq-cpu, when zmq_cpus_set */
	bool zmq_cpus_set;
	uint32_t rt_prio;		/* --rt-prio (sched_rt.h); 0: the normal scheduler */
	unsigned drain_s;		/* --drain: after SIGTERM, calls may go on this long */
	/* RTP proxies (media.h): -r specs (argv), checked at parse time. */
	const char *rtpp[CCD_RTPP_MAX];
	unsigned n_rtpp;
	unsigned rtpp_retry_s;		/* --rtpp-retry: V of an offline proxy; 0 = 60 */
	unsigned rtpp_check_s;		/* --rtpp-check: V of an online proxy; 0 = 10 */
	const char *rtpp_notify;	/* --rtpp-notify host:port: rtpengine's media timeouts */

	/* RADIUS and call policy (Sippy b2bua_radius options). Each also has
	 * Sippy's long name (--max_credit_time=...), which is also its key in
	 * the -C file's [general] section. */
	const char *radius_conf;	/* -R radiusclient.conf; NULL: radcli's default */
	unsigned radius_workers;	/* -M max_radiusclients (default 20) */
	const char *acct_spool;		/* --acct-spool: undelivered accounting records */
	bool digest_disabled;		/* -D (digest_auth=off): no challenges */
	bool digest_auth_only;		/* --digest_auth_only: challenge every INVITE
					   without credentials at once, no RADIUS */
	struct netaddr accept_ips[CCD_ACCEPT_IPS_MAX];	/* -a: accept only these */
	unsigned n_accept_ips;		/* 0 = accept from anywhere */
	unsigned acct_level;		/* -A 0 none, 1 Stop (default), 2 Start+Stop */
	unsigned alive_acct_s;		/* --alive_acct_int: Alive records; 0 = none */
	bool precise_acct;		/* --precise_acct: milliseconds in h323 times */
	struct cld_rules *tr_in;	/* -t static_tr_in (NULL: none) */
	struct cld_rules *tr_out;	/* -T static_tr_out */
	unsigned keepalive_ans_s;	/* -k 1|3, --keepalive_ans: answer leg, 0 = off */
	unsigned keepalive_orig_s;	/* -k 2|3, --keepalive_orig: originate leg */
	unsigned max_credit_time_s;	/* -m max_credit_time; 0 = unlimited */
	bool allowed_pts_set;		/* -F allowed_pts */
	struct sdp_pt_filter allowed_pts;
	char pass_headers[CCD_PASS_HEADERS_MAX][CCD_HEADER_NAME_MAX + 1];	/* -h */
	unsigned n_pass_headers;
	enum transform_kind pre_auth_proc;	/* -x / --pre_auth_proc: NONE, NOP or HDR2XATTRS */
	char pre_auth_header[CCD_HEADER_NAME_MAX + 1];	/* HDR2Xattrs' header name */
	bool hide_call_id;		/* -H: egress Call-ID = md5(ingress)-b2b_N */

	/* Memory ccd_config_free() releases: the -C file's text, which option
	 * strings above may point into, and the pieces of a split
	 * --rtp_proxy_clients list (rtpp_owned[i] backs rtpp[i]). */
	struct config_file *config_file;
	char *rtpp_owned[CCD_RTPP_MAX];
};

enum ccd_config_result {
	CCD_CONFIG_OK,
	CCD_CONFIG_EXIT_OK,
	CCD_CONFIG_ERROR,
};

/*
 * Parses the command line (and the -C file it names, whose values the
 * command line overrides) into cfg, which is overwritten. On
 * CCD_CONFIG_OK the strings in cfg point into argv or into memory cfg
 * owns: call ccd_config_free() when done. On the other results cfg holds
 * nothing to free (it has been freed) and err a one-line message.
 */
enum ccd_config_result ccd_config_parse(struct ccd_config *cfg, int argc, char **argv,
					char *err, size_t errsz);
/* Frees the compiled -t / -T rules and the -C storage. Safe to call twice. */
void ccd_config_free(struct ccd_config *cfg);

#endif
