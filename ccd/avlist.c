#include "avlist.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void avlist_init(struct avlist *l)
{
	l->n = 0;
}

int avlist_add(struct avlist *l, const char *name, const char *value)
{
	size_t nl = strlen(name), vl = strlen(value);
	struct av *a;

	if (l->n >= AVLIST_MAX || nl == 0 || nl > AV_NAME_MAX || vl > AV_VALUE_MAX)
		return -1;
	a = &l->a[l->n++];
	memcpy(a->name, name, nl + 1);
	memcpy(a->value, value, vl + 1);
	return 0;
}

int avlist_addf(struct avlist *l, const char *name, const char *fmt, ...)
{
	char v[AV_VALUE_MAX + 2];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > AV_VALUE_MAX)
		return -1;
	return avlist_add(l, name, v);
}

int avlist_extend(struct avlist *l, const struct avlist *src)
{
	for (unsigned i = 0; i < src->n; i++)
		if (avlist_add(l, src->a[i].name, src->a[i].value) < 0)
			return -1;
	return 0;
}

const char *avlist_find(const struct avlist *l, const char *name, unsigned *from)
{
	for (unsigned i = from ? *from : 0; i < l->n; i++)
		if (strcasecmp(l->a[i].name, name) == 0) {
			if (from)
				*from = i + 1;
			return l->a[i].value;
		}
	if (from)
		*from = l->n;
	return NULL;
}

struct pl avlist_call_id(const struct avlist *l)
{
	unsigned from = 0;
	const char *v = avlist_find(l, "Acct-Session-Id", NULL);

	if (v)
		return pl_from_str(v);
	while ((v = avlist_find(l, "Cisco-AVPair", &from)))
		if (strncmp(v, "call-id=", 8) == 0)
			return pl_from_str(v + 8);
	return PL_NULL;
}
