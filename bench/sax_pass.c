/*
 * sax_pass: the ceiling for the parse case, a bare libxml2 SAX2 pass over
 * the same bytes glean parses, set up as src/parse/parse_xml.c sets it up
 * (push parser, 256 KiB chunks, the same options) with handlers that only
 * count elements and text bytes. bench/run uses bench/sax_baseline.c
 * instead when that file exists. Bench code only.
 *
 *   bench/sax_pass FILE
 */
#include <libxml/parser.h>
#include <libxml/parserInternals.h>

#include "bench.h"
#include "glean/banned.h"

#define CHUNK (256u * 1024u)

struct counts {
	long long elements, text;
};

static void
on_start(void *ctx, const xmlChar *localname, const xmlChar *prefix,
	 const xmlChar *uri, int nns, const xmlChar **ns, int nattr,
	 int ndefaulted, const xmlChar **attrs)
{
	(void)localname; (void)prefix; (void)uri; (void)nns; (void)ns;
	(void)nattr; (void)ndefaulted; (void)attrs;
	((struct counts *)ctx)->elements++;
}

static void
on_end(void *ctx, const xmlChar *localname, const xmlChar *prefix,
       const xmlChar *uri)
{
	(void)ctx; (void)localname; (void)prefix; (void)uri;
}

static void
on_chars(void *ctx, const xmlChar *s, int len)
{
	(void)s;
	((struct counts *)ctx)->text += len;
}

static void
on_silent(void *ctx, const char *msg, ...)
{
	(void)ctx; (void)msg;
}

int
main(int argc, char **argv)
{
	struct counts n = { 0, 0 };
	struct bench_clock c;
	xmlSAXHandler sax;
	xmlParserCtxtPtr ctxt;
	size_t len, off;
	char *buf;
	int ok;

	if (argc != 2) {
		fprintf(stderr, "usage: sax_pass FILE\n");
		return 2;
	}
	buf = bench_slurp(argv[1], &len);
	xmlInitParser();
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = on_start;
	sax.endElementNs = on_end;
	sax.characters = on_chars;
	sax.cdataBlock = on_chars;
	sax.warning = on_silent;
	sax.error = on_silent;
	sax.fatalError = on_silent;
	bench_start(&c);
	ctxt = xmlCreatePushParserCtxt(&sax, &n, NULL, 0, NULL);
	if (!ctxt) {
		fprintf(stderr, "sax_pass: out of memory\n");
		return 1;
	}
	xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_NOERROR |
				XML_PARSE_NOWARNING | XML_PARSE_NOCDATA |
				XML_PARSE_IGNORE_ENC);
	xmlSwitchEncoding(ctxt, XML_CHAR_ENCODING_UTF8);
	for (off = 0; off < len; off += CHUNK) {
		size_t k = len - off < CHUNK ? len - off : CHUNK;

		if (xmlParseChunk(ctxt, buf + off, (int)k, 0) != 0)
			break;
	}
	xmlParseChunk(ctxt, NULL, 0, 1);
	ok = ctxt->wellFormed;
	xmlFreeParserCtxt(ctxt);
	bench_stop(&c);
	if (!ok)
		fprintf(stderr, "sax_pass: warning: '%s' is not well-formed\n",
			argv[1]);
	bench_report("sax-pass", &c, n.elements, (long long)len);
	free(buf);
	xmlCleanupParser();
	return 0;
}
