/*
 * test_leg.c - how a leg keeps its dialog (leg.h): the strings that never
 * change in the arena, the ones a dialog changes in the var block, both
 * known by 16-bit lengths alone and lent out as slices; the limits that
 * keep those lengths exact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sigd/leg.h"
#include "sigd/sigd.h"

#define SDP_A "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n" \
	      "m=audio 4000 RTP/AVP 0\r\n"
#define SDP_B "v=0\r\no=- 2 2 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n" \
	      "m=audio 5000 RTP/AVP 8\r\n"

static int setup(void **state)
{
	struct sigd *sd = calloc(1, sizeof(*sd));

	assert_non_null(sd);
	sd->base = event_base_new();
	assert_non_null(sd->base);
	assert_int_equal(legs_init(sd), 0);
	*state = sd;
	return 0;
}

static int teardown(void **state)
{
	struct sigd *sd = *state;

	legs_free(sd);
	event_base_free(sd->base);
	free(sd);
	return 0;
}

static const struct dialog ids = {
	.call_id = PL("c1@host"),
	.local_tag = PL("0123456789abcdef"),
	.local_uri = PL("sip:bob@example.com"),
	.remote_uri = PL("sip:alice@example.com"),
};

static size_t ids_len(void)
{
	return ids.call_id.l + ids.local_tag.l + ids.local_uri.l + ids.remote_uri.l;
}

static void assert_in(struct pl s, const void *base, size_t size)
{
	assert_true(s.p >= (const char *)base && s.p + s.l <= (const char *)base + size);
}

/* The four strings that never change: back to back in the arena. */
static void test_dialog_init(void **state)
{
	struct sigd *sd = *state;
	struct leg *l = leg_new(sd, 1, true, ids_len());
	struct dialog d;

	assert_non_null(l);
	assert_int_equal(leg_dialog_init(l, &ids), 0);
	assert_int_equal(l->arena_used, ids_len());
	assert_true(pl_eq_str(leg_call_id(l), "c1@host"));
	assert_true(pl_eq_str(leg_local_tag(l), "0123456789abcdef"));
	leg_dialog(l, &d);
	assert_true(pl_eq_str(d.call_id, "c1@host"));
	assert_true(pl_eq_str(d.local_tag, "0123456789abcdef"));
	assert_true(pl_eq_str(d.local_uri, "sip:bob@example.com"));
	assert_true(pl_eq_str(d.remote_uri, "sip:alice@example.com"));
	assert_in(d.remote_uri, l->arena, l->arena_cap);
	/* no var block yet: the changing strings are empty, not NULL */
	assert_null(l->var);
	assert_non_null(d.remote_tag.p);
	assert_int_equal(d.remote_tag.l + d.remote_target.l + d.route_set.l, 0);
	assert_int_equal(leg_remote_tag(l).l, 0);

	/* the dialog table finds it by (Call-ID, local tag in any case) */
	leg_index_dialog(l);
	assert_ptr_equal(leg_by_dialog(sd, PL("c1@host"), PL("0123456789ABCDEF")), l);
	assert_null(leg_by_dialog(sd, PL("C1@host"), PL("0123456789abcdef")));
}

/* An originate leg's leg_uac comes first: the strings start after it. */
static void test_dialog_init_after_alloc(void **state)
{
	struct sigd *sd = *state;
	struct leg *l = leg_new(sd, 2 | LEG_ID_UAC_BIT, false,
				sizeof(struct leg_uac) + LEG_ALIGN_SLACK + ids_len());
	struct leg_uac *u;

	assert_non_null(l);
	assert_non_null(u = leg_alloc(l, sizeof(*u)));
	l->has_uac = true;
	assert_int_equal(leg_dialog_init(l, &ids), 0);
	assert_ptr_equal(leg_uac(l), u);
	assert_true(l->dlg.at >= sizeof(*u));
	assert_true(pl_eq_str(leg_call_id(l), "c1@host"));
	assert_true(pl_eq_str(leg_local_tag(l), "0123456789abcdef"));
}

/* Strings that do not fit are refused whole, the arena as it was. */
static void test_dialog_init_too_long(void **state)
{
	struct sigd *sd = *state;
	struct leg *l = leg_new(sd, 3, true, ids_len() - 1);
	struct dialog d = { .call_id = PL("x") };

	assert_non_null(l);
	assert_int_equal(leg_dialog_init(l, &ids), -1);
	assert_int_equal(l->arena_used, 0);
	assert_int_equal(leg_call_id(l).l, 0);
	/* missing ones (PL_NULL) are empty */
	assert_int_equal(leg_dialog_init(l, &d), 0);
	assert_true(pl_eq_str(leg_call_id(l), "x"));
	assert_int_equal(leg_local_tag(l).l, 0);

	/* the largest arena: its last byte is still reachable in 16 bits */
	char *big = malloc(UINT16_MAX);
	assert_non_null(big);
	memset(big, 'u', UINT16_MAX);
	l = leg_new(sd, 4, true, UINT16_MAX);
	assert_non_null(l);
	assert_non_null(leg_alloc(l, UINT16_MAX - 2 - 8));
	d = (struct dialog){ .call_id = PL("cc"), .remote_uri = pl_from(big, 8) };
	assert_int_equal(leg_dialog_init(l, &d), 0);
	leg_dialog(l, &d);
	assert_true(pl_eq_str(d.call_id, "cc"));
	assert_true(pl_eq(d.remote_uri, pl_from(big, 8)));
	assert_ptr_equal(d.remote_uri.p + d.remote_uri.l, l->arena + UINT16_MAX);
	assert_null(leg_new(sd, 5, true, (size_t)UINT16_MAX + 1));
	free(big);
}

/* The changing strings and the SDPs: rebuilt together, any one replaced,
 * the value of another may come from the old block. */
static void test_var_strings(void **state)
{
	struct sigd *sd = *state;
	struct leg *l = leg_new(sd, 6, true, ids_len());
	struct pl v[LEG_VAR__COUNT] = {
		[LEG_VAR_REMOTE_TAG] = PL("rtag"),
		[LEG_VAR_TARGET] = PL("sip:alice@192.0.2.1:5062"),
		[LEG_VAR_ROUTES] = PL("<sip:p1;lr>\n<sip:p2;lr>"),
		[LEG_VAR_LOCAL_SDP] = PL(SDP_A),
		[LEG_VAR_REMOTE_SDP] = PL(SDP_B),
	};
	struct dialog d;

	assert_non_null(l);
	assert_int_equal(leg_dialog_init(l, &ids), 0);
	assert_int_equal(leg_var_set_all(l, v), 0);
	leg_dialog(l, &d);
	assert_true(pl_eq_str(d.remote_tag, "rtag"));
	assert_true(pl_eq_str(d.remote_target, "sip:alice@192.0.2.1:5062"));
	assert_true(pl_eq_str(d.route_set, "<sip:p1;lr>\n<sip:p2;lr>"));
	assert_true(pl_eq_str(leg_remote_tag(l), "rtag"));
	assert_in(d.route_set, l->var, d.remote_tag.l + d.remote_target.l + d.route_set.l);
	assert_true(pl_eq_str(leg_local_sdp(l), SDP_A));
	assert_true(pl_eq_str(leg_remote_sdp(l), SDP_B));
	assert_true(pl_eq_str(d.call_id, "c1@host"));

	/* the target replaced by the route set's first entry (old block) */
	assert_int_equal(leg_var_set(l, LEG_VAR_TARGET, pl_from(d.route_set.p, 11)), 0);
	leg_dialog(l, &d);
	assert_true(pl_eq_str(d.remote_tag, "rtag"));
	assert_true(pl_eq_str(d.remote_target, "<sip:p1;lr>"));
	assert_true(pl_eq_str(d.route_set, "<sip:p1;lr>\n<sip:p2;lr>"));
	assert_true(pl_eq_str(leg_local_sdp(l), SDP_A));
	assert_true(pl_eq_str(leg_remote_sdp(l), SDP_B));

	/* emptied: the remote tag unknown again, no routes */
	v[LEG_VAR_REMOTE_TAG] = PL("");
	v[LEG_VAR_ROUTES] = PL("");
	assert_int_equal(leg_var_update(l, LEG_VAR_BIT(LEG_VAR_REMOTE_TAG) | LEG_VAR_BIT(LEG_VAR_ROUTES),
					v), 0);
	leg_dialog(l, &d);
	assert_int_equal(d.remote_tag.l, 0);
	assert_non_null(d.remote_tag.p);
	assert_int_equal(d.route_set.l, 0);
	assert_true(pl_eq_str(d.remote_target, "<sip:p1;lr>"));
	assert_true(pl_eq_str(leg_remote_sdp(l), SDP_B));

	/* all empty: no block at all */
	v[LEG_VAR_TARGET] = PL("");
	v[LEG_VAR_LOCAL_SDP] = PL("");
	v[LEG_VAR_REMOTE_SDP] = PL("");
	assert_int_equal(leg_var_set_all(l, v), 0);
	assert_null(l->var);
	leg_dialog(l, &d);
	assert_int_equal(d.remote_tag.l + d.remote_target.l + d.route_set.l, 0);
	assert_false(leg_has_local_sdp(l));
	assert_int_equal(leg_remote_sdp(l).l, 0);
}

/* A var string longer than SIP_MAX_MESSAGE (its length would not fit 16
 * bits) is refused and the old values stay; SIP_MAX_MESSAGE itself fits. */
static void test_var_too_long(void **state)
{
	struct sigd *sd = *state;
	struct leg *l = leg_new(sd, 7, true, ids_len());
	char *big = malloc((size_t)SIP_MAX_MESSAGE + 1);
	struct dialog d;

	assert_non_null(l);
	assert_non_null(big);
	memset(big, 't', (size_t)SIP_MAX_MESSAGE + 1);
	assert_int_equal(leg_dialog_init(l, &ids), 0);
	assert_int_equal(leg_var_set(l, LEG_VAR_REMOTE_TAG, PL("rtag")), 0);
	assert_int_equal(leg_var_set(l, LEG_VAR_TARGET, pl_from(big, (size_t)SIP_MAX_MESSAGE + 1)), -1);
	assert_int_equal(leg_var_set(l, LEG_VAR_ROUTES, pl_from(big, (size_t)SIP_MAX_MESSAGE + 1)), -1);
	leg_dialog(l, &d);
	assert_true(pl_eq_str(d.remote_tag, "rtag"));
	assert_int_equal(d.remote_target.l, 0);

	assert_int_equal(leg_var_set(l, LEG_VAR_TARGET, pl_from(big, SIP_MAX_MESSAGE)), 0);
	assert_int_equal(leg_var_set(l, LEG_VAR_ROUTES, PL("<sip:p;lr>")), 0);
	leg_dialog(l, &d);
	assert_true(pl_eq_str(d.remote_tag, "rtag"));
	assert_true(pl_eq(d.remote_target, pl_from(big, SIP_MAX_MESSAGE)));
	assert_true(pl_eq_str(d.route_set, "<sip:p;lr>"));
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dialog_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialog_init_after_alloc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialog_init_too_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_var_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_var_too_long, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
