/*
 * notes: what a person wrote while sensing, carried out of glean into a
 * knowledge base and back (issue 19): one Markdown file per annotated
 * item for Obsidian/Logseq (notes_export_md), and every note and quote
 * as W3C Web Annotations (notes_anno_write, notes_anno_read).
 */
#ifndef GLEAN_NOTES_H
#define GLEAN_NOTES_H

#include "glean/base.h"
#include "glean/store.h"

/* The manifest notes_export_md keeps in DIR: what it wrote last time. */
#define NOTES_MANIFEST ".glean-export.json"

/* Write len bytes to path through a temporary file in its directory,
 * synced, then renamed over it (mode 0666 less the umask), so a reader
 * never sees half a file. ERR_IO saying which file on failure. */
int notes_write_atomic(const char *path, const char *buf, size_t len,
		       struct err *e);

/* What one export did. The lists hold file names in DIR (owned). */
struct notes_export_report {
	size_t written;     /* new or rewritten */
	size_t unchanged;   /* same bytes as wanted: not touched */
	size_t removed_notes; /* notes gone from files rewritten */
	char **edited;      /* left alone: changed since the last export,
			     * or a file glean did not write */
	size_t nedited;
	char **removed;     /* items no longer annotated: file kept */
	size_t nremoved;
	char **problems;    /* items skipped, with why */
	size_t nproblems;
};
void notes_export_report_release(struct notes_export_report *r);

/* Write one Markdown file per item with notes into dir (created when
 * missing; its parent must exist): YAML front matter (title, url,
 * source, author, published, tags, glean_id), the notes as paragraphs,
 * the quotes as blockquotes linking back. Re-run safe: a file whose
 * bytes would not change is not touched; one the person changed since
 * the last export (its hash is not the manifest's) is left alone and
 * listed in r->edited; items annotated last time but not now are listed
 * in r->removed and their files kept. Each file and the manifest are
 * written to a temporary file and renamed. */
int notes_export_md(struct store *st, const char *dir,
		    struct notes_export_report *r, struct err *e);

/* Options of the Web Annotation export; strings borrowed for the call. */
struct notes_anno_opts {
	const char *creator;  /* creator's name, or NULL */
	const char *version;  /* glean's version, for the generator */
};

/* Append an AnnotationCollection (JSON-LD, anno.jsonld context) with one
 * embedded AnnotationPage holding an Annotation per note: the quote a
 * TextQuoteSelector on the item's link, the note a TextualBody
 * (commenting), the item's tags TextualBodies (tagging). *n counts the
 * annotations, *skipped the notes of items without an http(s) link. */
int notes_anno_write(struct store *st, const struct notes_anno_opts *o,
		     struct sbuf *out, size_t *n, size_t *skipped,
		     struct err *e);

struct notes_import_report {
	size_t annotations; /* read */
	size_t added;       /* notes added */
	size_t existing;    /* already there: nothing added */
	size_t tags;        /* tags added to items */
	char **unknown;     /* links of items not in the store (owned,
			     * each once) */
	size_t nunknown, nunknown_notes;
	char **problems;    /* annotations skipped, with why */
	size_t nproblems;
};
void notes_import_report_release(struct notes_import_report *r);

/* Read a collection notes_anno_write wrote (or another tool's: an
 * AnnotationCollection with embedded pages, an AnnotationPage, one
 * Annotation or an array of them) and attach each to the item whose
 * link is its target's source. Importing the same text twice adds
 * nothing twice. ERR_PARSE when text is not JSON or holds no
 * annotations. */
int notes_anno_read(struct store *st, const char *text, size_t len,
		    struct notes_import_report *r, struct err *e);

#endif
