/*
 * nset.c: fixed sets of short names (HTML element and attribute names,
 * entity names) with a small value each, for lookups that run for every
 * tag, attribute and reference of every HTML field. Open addressing over
 * the first eight bytes of a name packed in an integer, so most lookups
 * are a multiply and one compare. A set is filled once (the caller's
 * pthread_once) and only read afterwards, so any thread may look up.
 * This file knows no names itself.
 */
#include <string.h>

#include "private.h"
#include "glean/banned.h"

void
nset_add(struct nset *set, const char *s, uint32_t value, bool merge)
{
	size_t n = strlen(s);
	uint64_t k = nset_key(s, n);
	uint32_t i = nset_slot(k, n);

	if (n == 0 || n > 255)
		BUG("nset_add: bad name length");
	while (set->v[i].s && !(set->v[i].len == n &&
				memcmp(set->v[i].s, s, n) == 0))
		i = (i + 1) & (NSET_SIZE - 1);
	if (!set->v[i].s)
		set->n++;
	if (set->n > NSET_SIZE / 2)
		BUG("nset_add: set too full");
	set->v[i].s = s;
	set->v[i].key = k;
	set->v[i].len = (uint8_t)n;
	set->v[i].value = merge ? set->v[i].value | value : value;
}
