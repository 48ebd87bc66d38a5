/* parse, by the specifications (issue 16): every place a format allows a
 * category or keyword, in document order with scheme and label, and the
 * version a document reports, decided by its root element and that
 * element's namespace, not by the extensions it uses. The documents are
 * tests/data/spec; the values below are what RSS 2.0, RSS 1.0 with Dublin
 * Core, Atom (RFC 4287), iTunes, Media RSS and JSON Feed 1.1 give them
 * (and feedparser, whose schemes for iTunes and Media RSS these are),
 * and Media RSS's title for an entry that has no other. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glean/parse.h"
#include "check.h"
#include "glean/banned.h"

static const char *srcdir = ".";

static bool
parse_file(const char *name, struct feed_doc *d)
{
	char *path = xasprintf("%s/tests/data/spec/%s", srcdir, name);
	FILE *fp = fopen(path, "rb");
	struct sbuf sb = SBUF_INIT;
	struct parse_opts o = { .url = "https://spec.example/feed" };
	char buf[4096];
	size_t n;

	free(path);
	memset(d, 0, sizeof(*d));
	if (!fp)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		sbuf_add(&sb, buf, n);
	fclose(fp);
	parse_feed(sb.buf, sb.len, &o, d, NULL);
	sbuf_release(&sb);
	return true;
}

/* The categories as "term|scheme|label; ..." ('-' for an absent part). */
static char *
cats(const struct feed_common *c)
{
	struct sbuf sb = SBUF_INIT;
	size_t i;

	for (i = 0; i < c->ncategories; i++) {
		const struct feed_category *k = &c->categories[i];

		sbuf_addf(&sb, "%s%s|%s|%s", i ? "; " : "",
			  k->term ? k->term : "-", k->scheme ? k->scheme : "-",
			  k->label ? k->label : "-");
	}
	return sbuf_detach(&sb, NULL);
}

#define CHECK_CATS(common, want)                                             \
	do {                                                                 \
		char *got_ = cats(common);                                   \
		bool ok_ = strcmp(got_, (want)) == 0;                        \
		if (!ok_)                                                    \
			printf("  categories: %s\n", got_);                  \
		free(got_);                                                  \
		CHECK(ok_);                                                  \
	} while (0)

#define ITUNES "http://www.itunes.com/"
#define MRSS "http://search.yahoo.com/mrss/category_schema"

static void
test_rss20_categories(void)
{
	struct feed_doc d;

	TEST("RSS 2.0: category, dc:subject, iTunes and Media RSS, in order");
	CHECK(parse_file("cat-rss20.xml", &d));
	CHECK(!d.bozo);
	CHECK_STR(d.version, "rss20");
	/* a category with a domain that repeats one with a term comes out
	 * again, as feedparser gives it (the term arrives after the
	 * domain); the image's nothing */
	CHECK_CATS(&d.feed,
		   "Channel one|https://cat.example/scheme|-; "
		   "Technology|" ITUNES "|-; Podcasting|" ITUNES "|-; "
		   "Channel subject|-|-; "
		   "alpha|" ITUNES "|-; beta|" ITUNES "|-; gamma|" ITUNES "|-; "
		   "Channel one|-|-; "
		   "Channel one|https://cat.example/scheme|-");
	CHECK_INT(d.nentries, 1);
	/* the second <category>Zulu</category> is the same category: once;
	 * an empty <category/> is none */
	CHECK_CATS(&d.entries[0].c,
		   "Zulu|-|-; Yankee|-|-; X-ray|urn:d|-; "
		   "Mike|urn:media|Mike label; November|" MRSS "|-; "
		   "kilo|-|-; lima|-|-; papa|" ITUNES "|-; "
		   "Alpha|urn:a|Alpha label");
	feed_doc_release(&d);
}

static void
test_atom_categories(void)
{
	struct feed_doc d;

	TEST("Atom 1.0: term, scheme, label; dc:subject; not the source's");
	CHECK(parse_file("cat-atom10.xml", &d));
	CHECK(!d.bozo);
	CHECK_STR(d.version, "atom10");
	CHECK_CATS(&d.feed, "feed-one|urn:s|Feed one; feed subject|-|-; "
			    "feed-two|-|-");
	CHECK_INT(d.nentries, 1);
	CHECK_CATS(&d.entries[0].c,
		   "b-term|-|B label; -|urn:only-scheme|No term; "
		   "a-term|urn:s|-; entry subject|-|-; Freiräume|-|-");
	feed_doc_release(&d);
}

static void
test_rdf_categories(void)
{
	struct feed_doc d;

	TEST("RSS 1.0: dc:subject on the channel and the items, in order");
	CHECK(parse_file("cat-rdf.xml", &d));
	CHECK(!d.bozo);
	CHECK_STR(d.version, "rss10");
	CHECK_CATS(&d.feed, "Channel subject one|-|-; Channel subject two|-|-");
	CHECK_INT(d.nentries, 1);
	CHECK_CATS(&d.entries[0].c, "Second|-|-; First|-|-");
	feed_doc_release(&d);
}

static void
test_json_tags(void)
{
	struct feed_doc d;

	TEST("JSON Feed: tags, in order, as given");
	CHECK(parse_file("cat.json", &d));
	CHECK_STR(d.version, "json11");
	CHECK_INT(d.nentries, 1);
	CHECK_CATS(&d.entries[0].c,
		   "zeta|-|-; alpha|-|-; zeta|-|-; mid dle|-|-");
	feed_doc_release(&d);
}

static void
test_media_title(void)
{
	struct feed_doc d;

	TEST("Media RSS: media:title is the title of an entry without one");
	CHECK(parse_file("title-media.xml", &d));
	CHECK(!d.bozo);
	CHECK_INT(d.nentries, 3);
	CHECK_STR(d.entries[0].c.title, "Only media");
	CHECK_STR(d.entries[1].c.title, "Own");
	CHECK_STR(d.entries[2].c.title, "Own later");
	feed_doc_release(&d);
}

static void
check_version(const char *file, const char *want)
{
	struct feed_doc d;

	TEST(file);
	CHECK(parse_file(file, &d));
	CHECK(!d.bozo);
	CHECK_STR(d.version, want);
	CHECK(d.feed.title != NULL);
	feed_doc_release(&d);
}

static void
check_version_str(const char *doc, const char *want)
{
	struct feed_doc d;

	TEST(doc);
	parse_feed(doc, strlen(doc), NULL, &d, NULL);
	CHECK_STR(d.version, want);
	feed_doc_release(&d);
}

static void
test_versions(void)
{
	/* the root and its namespace decide; extensions do not */
	check_version("v-rss20-atom-ext.xml", "rss20");
	check_version("v-rdf10-atom-first.xml", "rss10");
	check_version("v-rdf090.xml", "rss090");
	check_version("v-rdf090-prefixed.xml", "rss090");
	check_version("v-rdf090-declares-10.xml", "rss090");
	check_version("v-rdf10-declares-090.xml", "rss10");
	check_version("v-atom03-ext.xml", "atom03");
	check_version("v-atom10-rss-ns.xml", "atom10");
	check_version("v-atom10-prefixed.xml", "atom10");
	/* <rss version>: RSS 2.0.x and later 2.x are rss20 */
	check_version_str("<rss version=\"0.91\"><channel><title>t</title>"
			  "</channel></rss>", "rss091u");
	check_version_str("<!DOCTYPE rss PUBLIC \"-//Netscape Communications"
			  "//DTD RSS 0.91//EN\" \"http://my.netscape.com/"
			  "publish/formats/rss-0.91.dtd\"><rss version=\"0.91\">"
			  "<channel><title>t</title></channel></rss>",
			  "rss091n");
	check_version_str("<rss version=\"0.92\"><channel/></rss>", "rss092");
	check_version_str("<rss version=\"0.93\"><channel/></rss>", "rss093");
	check_version_str("<rss version=\"0.94\"><channel/></rss>", "rss094");
	check_version_str("<rss version=\"2.0.1\" xmlns:r=\"http://purl.org/"
			  "rss/1.0/\"><channel/></rss>", "rss20");
	check_version_str("<rss><channel><title>t</title></channel></rss>",
			  "rss");
	check_version_str("<feed xmlns=\"http://purl.org/atom/ns#\" "
			  "version=\"0.3\"><title>t</title></feed>", "atom03");
	check_version_str("{\"version\": \"https://jsonfeed.org/version/1\","
			  " \"title\": \"t\", \"items\": []}", "json10");
}

int
main(void)
{
	if (getenv("GLEAN_SRCDIR"))
		srcdir = getenv("GLEAN_SRCDIR");
	RUN(test_rss20_categories);
	RUN(test_atom_categories);
	RUN(test_rdf_categories);
	RUN(test_json_tags);
	RUN(test_versions);
	RUN(test_media_title);
	return check_done("test_parse_spec");
}
