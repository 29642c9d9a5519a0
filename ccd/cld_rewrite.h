/*
 * cld_rewrite.h - Sippy's static_tr_in / static_tr_out (-t / -T): rewrite
 * rules for the called number, and the "nat-" CLD prefix.
 *
 *   spec = rule *( ";" rule ) [ ";" ]
 *   rule = "s/" regex "/" replacement "/" [ "g" ]
 *
 * e.g. `s/^00/+/;s/^1/+1/g`. Each rule rewrites the output of the previous
 * one; without g only the first match is replaced. The regex is PCRE2
 * (8-bit, UTF off: the number is bytes), which reads Python's `re` syntax
 * for everything a dial plan uses, including (?P<name>...). A '/' inside
 * the regex or the replacement is written `\/` (Sippy cannot express it).
 *
 * The replacement is Python's re.sub template, restricted to what makes
 * sense in a number: \1..\99 and \g<n> (group n, \g<0> the whole match),
 * \g<name>, \\ (a backslash) and \/; an unmatched group inserts nothing;
 * any other escape is an error. Every group reference is checked against
 * the regex at compile time.
 *
 * Unlike Sippy (sippy-behaviour.md §1.17, defect #20) the number is not cut
 * at its first '#': the rules see the whole CLD.
 *
 * Rules are compiled once (start-up) and applied per call without
 * allocating; a rule set is not thread-safe (it keeps its PCRE2 match data
 * and a scratch buffer), which suits ccd's single event loop. PCRE2 match
 * limits keep a pathological regex from stalling the loop: such a match
 * fails like any other error.
 */
#ifndef TANDEM_CLD_REWRITE_H
#define TANDEM_CLD_REWRITE_H

#include <stddef.h>

#include "pl.h"

#define CLD_RULES_MAX	16	/* rules in one spec */
#define CLD_REWRITE_MAX	256	/* longest number between two rules */
#define CLD_SPEC_MAX	4096	/* longest spec */

struct cld_rules;

/* Compiles a spec. Returns the rule set, or NULL with a one-line reason in
 * err ("rule 2: missing '/' after the replacement"). */
struct cld_rules *cld_rules_compile(const char *spec, char *err, size_t errsz);
void cld_rules_free(struct cld_rules *r);
unsigned cld_rules_count(const struct cld_rules *r);

/*
 * Rewrites in into out (NUL-terminated; in must not overlap out). Returns
 * the length, or -1 when a result does not fit (out, or CLD_REWRITE_MAX
 * between rules), a match hits the PCRE2 limits, or the result is not a
 * valid SIP user part (route_valid_user): the caller rejects the call.
 */
int cld_rules_apply(const struct cld_rules *r, struct pl in, char *out, size_t outsz);

/* Sippy §1.19: a CLD starting with "nat-" loses the prefix (and the caller
 * marks the caller's SDP a=nated:yes). Returns cld itself when there is no
 * prefix, so a shorter result means "was NATed". */
struct pl cld_strip_nat(struct pl cld);

#endif
