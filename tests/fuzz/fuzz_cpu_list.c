/* fuzz_cpu_list: the --cpu option's parser never reads past its string and
 * accepts only what it can print back as the same set. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu_affinity.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[256], err[200], back[8192];
	cpu_set_t set, again;
	size_t n = 0;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (!cpu_list_parse(s, &set, err, sizeof(err))) {
		if (!err[0] || strlen(err) >= sizeof(err))
			abort();
		return 0;
	}
	/* render as a plain list and parse again: the same set */
	for (unsigned c = 0; c <= CPU_LIST_MAX; c++)
		if (CPU_ISSET(c, &set))
			n += (size_t)snprintf(back + n, sizeof(back) - n, "%s%u", n ? "," : "", c);
	if (!n || !cpu_list_parse(back, &again, err, sizeof(err)) || !CPU_EQUAL(&set, &again))
		abort();
	return 0;
}
