/*
 * fuzz_route.c - Sippy's routing string (ccd/route.c): today from -s, later
 * from RADIUS replies, i.e. from the network.
 *
 * route.c is compiled in here (it lives in ccd/, and the fuzz build links
 * only common/). Name resolution is not fuzzed. Invariants (abort() on
 * violation): every slice lies inside the input; counts stay within their
 * bounds; ports are 1..65535; decoded cnam and ash values carry no line
 * break; parsing twice gives the same result; error reasons are printable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../ccd/route.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_in(const char *buf, size_t len, struct pl x)
{
	if (!x.p) {
		if (x.l)
			abort();
		return;
	}
	if (x.p < buf || x.l > len || x.p + x.l > buf + len)
		abort();
}

static void check_no_break(const char *s, size_t n)
{
	if (memchr(s, '\r', n) || memchr(s, '\n', n) || memchr(s, '\0', n))
		abort();
}

static void check_route(const struct route *r, const char *buf, size_t len)
{
	char dec[ROUTE_VALUE_MAX];
	struct pl name, value;
	int n;

	check_in(buf, len, r->cld);
	check_in(buf, len, r->host);
	check_in(buf, len, r->auth_user);
	check_in(buf, len, r->auth_pass);
	check_in(buf, len, r->cli);
	check_in(buf, len, r->cnam);
	check_in(buf, len, r->op_host);
	check_in(buf, len, r->po_proc_name);
	check_in(buf, len, r->po_proc_arg);
	check_in(buf, len, r->bill_to);
	check_in(buf, len, r->bill_cli);
	check_in(buf, len, r->bill_cld);
	if (r->port == 0 || (r->op_set && r->op_port == 0))
		abort();
	if (r->host.l == 0 || r->n_ash > ROUTE_ASH_MAX || r->n_other > ROUTE_OTHER_MAX ||
	    r->n_hs_scodes > ROUTE_SCODES_MAX)
		abort();
	if (r->cld_set && !route_valid_user(r->cld))
		abort();
	if (r->cli_set && !route_valid_user(r->cli))
		abort();
	for (size_t i = 0; i < r->n_hs_scodes; i++)
		if (r->hs_scodes[i] < 300 || r->hs_scodes[i] > 699)
			abort();
	if (r->cnam_set) {
		n = route_unquote(r->cnam, dec, sizeof(dec));
		if (n < 0)
			abort();
		check_no_break(dec, (size_t)n);
	}
	for (size_t i = 0; i < r->n_ash; i++) {
		check_in(buf, len, r->ash[i]);
		if (route_extra_header(r, i, dec, sizeof(dec), &name, &value) < 0 || name.l == 0)
			abort();
		check_no_break(value.p, value.l);
		check_no_break(name.p, name.l);
	}
	if (route_extra_header(r, r->n_ash, dec, sizeof(dec), &name, &value) != -1)
		abort();
	for (size_t i = 0; i < r->n_other; i++) {
		check_in(buf, len, r->other[i].name);
		check_in(buf, len, r->other[i].value);
		if (r->other[i].name.l == 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	struct route r, again;
	struct route_error err, err2;
	int rc;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	rc = route_parse(&r, pl_from(buf, size), &err);
	if (route_parse(&again, pl_from(buf, size), &err2) != rc)
		abort();
	if (rc == 0) {
		check_route(&r, buf, size);
		if (memcmp(&r, &again, sizeof(r)) != 0)
			abort();
	} else {
		if (strcmp(err.reason, err2.reason) != 0 || err.reason[0] == '\0')
			abort();
		for (const char *p = err.reason; *p; p++)
			if (*p < 0x20 || *p > 0x7e)
				abort();
	}
	/* the decoders on arbitrary input */
	{
		char dec[64];
		int n = route_unquote(pl_from(buf, size), dec, sizeof(dec));
		if (n >= (int)sizeof(dec) || (n >= 0 && dec[n] != '\0'))
			abort();
		(void)route_valid_user(pl_from(buf, size));
	}
	free(buf);
	return 0;
}
