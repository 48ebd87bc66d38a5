/*
 * base64 and random bytes for every module, from OpenSSL's libcrypto
 * (EVP_EncodeBlock, EVP_DecodeBlock, RAND_bytes) rather than written by
 * hand: e-mail subjects and OAuth signatures encode, Atom's
 * mode="base64" content decodes, idempotency keys and nonces are random.
 * It does not hash or sign (share/ owns HMAC).
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "glean/base.h"
#include "glean/banned.h"

#define B64_CHUNK 3072 /* input bytes per EVP_EncodeBlock call (3 | it) */

void
base64_encode(struct sbuf *sb, const void *p, size_t n)
{
	const unsigned char *in = p;
	unsigned char enc[B64_CHUNK / 3 * 4 + 1];

	while (n > 0) {
		size_t k = n < B64_CHUNK ? n : B64_CHUNK;
		int m = EVP_EncodeBlock(enc, in, (int)k);

		sbuf_add(sb, enc, (size_t)m);
		in += k;
		n -= k;
	}
}

static bool
b64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static bool
b64_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	       c == '\f' || c == '\v';
}

/* Decode one quantum or a final short one (2 or 3 chars; a lone 1 char
 * carries no whole byte and is dropped). */
static void
b64_flush(struct sbuf *sb, char *q, size_t k)
{
	unsigned char out[3];
	size_t pad = 0;

	if (k < 2)
		return;
	while (k < 4) {
		q[k++] = '=';
		pad++;
	}
	if (EVP_DecodeBlock(out, (const unsigned char *)q, 4) == 3)
		sbuf_add(sb, out, 3 - pad);
}

int
base64_decode(struct sbuf *sb, const char *s)
{
	char buf[4 * 1024 + 4];
	size_t k = 0;

	for (; *s && *s != '='; s++) {
		if (b64_space(*s))
			continue;
		if (!b64_char(*s))
			return -1;
		buf[k++] = *s;
		if (k == sizeof(buf) - 4) {
			unsigned char out[sizeof(buf) / 4 * 3];
			int m = EVP_DecodeBlock(out, (const unsigned char *)buf,
						(int)k);

			if (m > 0)
				sbuf_add(sb, out, (size_t)m);
			k = 0;
		}
	}
	/* the whole quanta, then the short tail */
	if (k >= 4) {
		unsigned char out[sizeof(buf) / 4 * 3];
		size_t whole = k / 4 * 4;
		int m = EVP_DecodeBlock(out, (const unsigned char *)buf,
					(int)whole);

		if (m > 0)
			sbuf_add(sb, out, (size_t)m);
		memmove(buf, buf + whole, k - whole);
		k -= whole;
	}
	b64_flush(sb, buf, k);
	return 0;
}

static void
random_bytes(void *buf, size_t n)
{
	if (n > 0x7fffffff || RAND_bytes(buf, (int)n) != 1)
		die("cannot get %zu random bytes from OpenSSL's RAND_bytes",
		    n);
}

char *
random_hex(size_t nbytes)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	char *out = xmalloc(nbytes * 2 + 1);
	size_t i;

	if (nbytes > sizeof(raw))
		BUG("random_hex: %zu bytes", nbytes);
	random_bytes(raw, nbytes);
	for (i = 0; i < nbytes; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * nbytes] = '\0';
	return out;
}
