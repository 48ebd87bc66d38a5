/*
 * bench/sax_baseline.c: the ceiling for the parse benchmark. One bare
 * libxml2 SAX2 pass over a file with empty callbacks, using the same
 * parser (push parser, 256 KiB chunks) and the same options glean's
 * parse_xml.c uses. Prints the CPU seconds of the parse alone (reading
 * the file is not counted), and the "sax-baseline wall= cpu=" line bench/run
 * reads, timed the same way bench/parse_driver.c times parse_feed(): in
 * the process, around the parse only. It does not build anything from
 * the events.
 *   sax_baseline FILE
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "bench.h"

#define CHUNK (256u * 1024u)

static unsigned long nelem;

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
	 const xmlChar *URI, int nb_ns, const xmlChar **ns, int nb_attr,
	 int nb_def, const xmlChar **attributes)
{
	(void)ctx; (void)localname; (void)prefix; (void)URI; (void)nb_ns;
	(void)ns; (void)nb_attr; (void)nb_def; (void)attributes;
	nelem++;
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
       const xmlChar *URI)
{
	(void)ctx; (void)localname; (void)prefix; (void)URI;
}

static void
on_chars(void *ctx, const xmlChar *ch, int len)
{
	(void)ctx; (void)ch; (void)len;
}

static xmlEntityPtr
on_entity(void *ctx, const xmlChar *name)
{
	(void)ctx; (void)name;
	return NULL;
}

static void
on_error(void *ctx, const char *msg, ...)
{
	(void)ctx; (void)msg;
}

static void
on_serror(void *ctx, xmlErrorPtr err)
{
	(void)ctx; (void)err;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : (1u << 20);
			buf = realloc(buf, cap);
			if (!buf)
				exit(1);
		}
		r = fread(buf + n, 1, cap - n, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	*len = n;
	return buf;
}

static double
cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	size_t len, off;
	char *buf;
	double t0, t1;
	struct bench_clock c;
	int opts = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
		   XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC;

	if (argc != 2) {
		fprintf(stderr, "usage: sax_baseline FILE\n");
		return 2;
	}
	buf = slurp(argv[1], &len);
	if (!buf) {
		fprintf(stderr, "sax_baseline: cannot read '%s'\n", argv[1]);
		return 1;
	}
	xmlInitParser();
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_chars;
	sax.cdataBlock = on_chars;
	sax.getEntity = on_entity;
	sax.warning = on_error;
	sax.error = on_error;
	sax.fatalError = on_error;
	sax.serror = on_serror;

	bench_start(&c);
	t0 = cpu_now();
	ctxt = xmlCreatePushParserCtxt(&sax, NULL, NULL, 0, NULL);
	if (!ctxt)
		return 1;
	xmlCtxtUseOptions(ctxt, opts);
	xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
	for (off = 0; off < len; off += CHUNK) {
		size_t n = len - off < CHUNK ? len - off : CHUNK;

		if (xmlParseChunk(ctxt, buf + off, (int)n, 0) != 0)
			break;
	}
	xmlParseChunk(ctxt, NULL, 0, 1);
	t1 = cpu_now();
	bench_stop(&c);
	printf("sax2: %.3f s cpu, %zu bytes, %lu elements, well-formed %d\n",
	       t1 - t0, len, nelem, ctxt->wellFormed);
	bench_report("sax-baseline", &c, (long long)nelem, (long long)len);
	xmlFreeParserCtxt(ctxt);
	free(buf);
	return 0;
}
