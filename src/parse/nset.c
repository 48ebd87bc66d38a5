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

/* The first (up to) eight bytes of s as an integer, zero-padded. */
static inline uint64_t
nset_key(const char *s, size_t n)
{
	uint64_t k = 0;
	size_t i, m = n < 8 ? n : 8;

	for (i = 0; i < m; i++)
		k |= (uint64_t)(unsigned char)s[i] << (8 * i);
	return k;
}

static inline uint32_t
nset_slot(uint64_t key, size_t n)
{
	return (uint32_t)(((key ^ (uint64_t)n) * 0x9e3779b97f4a7c15ull) >>
			  (64 - NSET_BITS));
}

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

uint32_t
nset_get(const struct nset *set, const char *s, size_t n)
{
	uint64_t k;
	uint32_t i;

	if (n == 0 || n > 255)
		return 0;
	k = nset_key(s, n);
	for (i = nset_slot(k, n); set->v[i].s; i = (i + 1) & (NSET_SIZE - 1)) {
		const struct nslot *e = &set->v[i];

		if (e->key == k && e->len == n &&
		    (n <= 8 || memcmp(e->s + 8, s + 8, n - 8) == 0))
			return e->value;
	}
	return 0;
}
