/*
 * A fast non-cryptographic 64-bit hash, eight bytes at a time (a
 * multiply-xorshift mix in the spirit of wyhash/murmur). Used to tell
 * whether a body or an item changed; never for anything an attacker
 * could profit from colliding.
 */
#include <string.h>

#include "glean/base.h"
#include "glean/banned.h"

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

uint64_t
hash64(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *b = p;
	uint64_t h = seed ^ (0x9e3779b97f4a7c15ULL * (n + 1));
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, b, 8);
		h = (h ^ mix(w)) * 0x100000001b3ULL + 0x9e3779b97f4a7c15ULL;
		b += 8;
		n -= 8;
	}
	w = 0;
	memcpy(&w, b, n);
	h ^= mix(w ^ n);
	return mix(h);
}
