/*
 * base64 and random bytes for every module, from OpenSSL's libcrypto
 * (EVP_EncodeBlock, EVP_DecodeBlock, RAND_bytes) rather than written by
 * hand: e-mail subjects and OAuth signatures encode, Atom's
 * mode="base64" content decodes, idempotency keys and nonces are random.
 * It loads libcrypto for all of glean (below), HMAC included.
 */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "glean/base.h"
#include "glean/banned.h"

/*
 * libcrypto, loaded the first time glean calls it (src/base/lazy.c says
 * why: 0.7 ms of the start of every command). This file calls the
 * library's functions through tab(); service/x.c calls HMAC() and
 * EVP_sha1() (OAuth 1.0a), defined here to call the library's own.
 */
#include <openssl/hmac.h>
#include <openssl/opensslv.h>
#include <pthread.h>

#define CRYPTO_STR_(x) #x
#define CRYPTO_STR(x) CRYPTO_STR_(x)
#define CRYPTO_SONAME "libcrypto.so." CRYPTO_STR(OPENSSL_SHLIB_VERSION)

/* the functions this file calls, and those service/x.c calls */
#define CRYPTO_OWN(F, V)                                                     \
	F(int, EVP_EncodeBlock,                                              \
	  (unsigned char *t, const unsigned char *f, int n), (t, f, n))      \
	F(int, EVP_DecodeBlock,                                              \
	  (unsigned char *t, const unsigned char *f, int n), (t, f, n))      \
	F(int, RAND_bytes, (unsigned char *buf, int num), (buf, num))
#define CRYPTO_SHARED(F, V)                                                  \
	F(const EVP_MD *, EVP_sha1, (void), ())                              \
	F(unsigned char *, HMAC,                                             \
	  (const EVP_MD *evp_md, const void *key, int key_len,               \
	   const unsigned char *data, size_t data_len, unsigned char *md,    \
	   unsigned int *md_len),                                            \
	  (evp_md, key, key_len, data, data_len, md, md_len))
#define CRYPTO_FNS(F, V) CRYPTO_OWN(F, V) CRYPTO_SHARED(F, V)

LAZY_TABLE(crypto, CRYPTO_FNS, CRYPTO_SONAME, "libssl3")
CRYPTO_SHARED(LAZY_FWD, LAZY_VFWD)

#define B64_CHUNK 3072 /* input bytes per EVP_EncodeBlock call (3 | it) */

void
base64_encode(struct sbuf *sb, const void *p, size_t n)
{
	const unsigned char *in = p;
	unsigned char enc[B64_CHUNK / 3 * 4 + 1];

	while (n > 0) {
		size_t k = n < B64_CHUNK ? n : B64_CHUNK;
		int m = tab()->EVP_EncodeBlock(enc, in, (int)k);

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
	if (tab()->EVP_DecodeBlock(out, (const unsigned char *)q, 4) == 3)
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
			int m = tab()->EVP_DecodeBlock(
				out, (const unsigned char *)buf, (int)k);

			if (m > 0)
				sbuf_add(sb, out, (size_t)m);
			k = 0;
		}
	}
	/* the whole quanta, then the short tail */
	if (k >= 4) {
		unsigned char out[sizeof(buf) / 4 * 3];
		size_t whole = k / 4 * 4;
		int m = tab()->EVP_DecodeBlock(
			out, (const unsigned char *)buf, (int)whole);

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
	if (n > 0x7fffffff || tab()->RAND_bytes(buf, (int)n) != 1)
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

