/*
 * libxml2, loaded the first time glean calls it (src/base/lazy.c says
 * why): linked, it brings ICU and libstdc++ into every command, 1.2 ms
 * of the start of each 'glean search'. These are the libxml2 functions
 * glean calls; each calls the library's own.
 */
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>

#include "glean/base.h"
#include "glean/banned.h"

#ifndef XML_SONAME /* the soname glean was built against */
#define XML_SONAME "libxml2.so.2"
#endif

#define XML_FNS(F, V)                                                       \
	F(const htmlEntityDesc *, htmlEntityLookup, (const xmlChar *name),  \
	  (name))                                                           \
	F(htmlDocPtr, htmlReadMemory,                                       \
	  (const char *buffer, int size, const char *URL,                   \
	   const char *encoding, int options),                              \
	  (buffer, size, URL, encoding, options))                           \
	F(xmlParserCtxtPtr, xmlCreatePushParserCtxt,                        \
	  (xmlSAXHandlerPtr sax, void *user_data, const char *chunk,        \
	   int size, const char *filename),                                 \
	  (sax, user_data, chunk, size, filename))                          \
	F(int, xmlCtxtUseOptions, (xmlParserCtxtPtr ctxt, int options),     \
	  (ctxt, options))                                                  \
	F(int, xmlDictOwns, (xmlDictPtr dict, const xmlChar *str),          \
	  (dict, str))                                                      \
	F(xmlNodePtr, xmlDocGetRootElement, (const xmlDoc *doc), (doc))     \
	V(xmlFreeDoc, (xmlDocPtr cur), (cur))                               \
	V(xmlFreeNode, (xmlNodePtr cur), (cur))                             \
	V(xmlFreeParserCtxt, (xmlParserCtxtPtr ctxt), (ctxt))               \
	F(long, xmlGetLineNo, (const xmlNode *node), (node))                \
	V(xmlInitParser, (void), ())                                        \
	F(xmlNodePtr, xmlNewDocNode,                                        \
	  (xmlDocPtr doc, xmlNsPtr ns, const xmlChar *name,                 \
	   const xmlChar *content),                                         \
	  (doc, ns, name, content))                                         \
	V(xmlNodeSetName, (xmlNodePtr cur, const xmlChar *name),            \
	  (cur, name))                                                      \
	F(int, xmlParseChunk,                                               \
	  (xmlParserCtxtPtr ctxt, const char *chunk, int size,              \
	   int terminate),                                                  \
	  (ctxt, chunk, size, terminate))                                   \
	F(xmlDocPtr, xmlReadMemory,                                         \
	  (const char *buffer, int size, const char *URL,                   \
	   const char *encoding, int options),                              \
	  (buffer, size, URL, encoding, options))                           \
	V(xmlSetExternalEntityLoader, (xmlExternalEntityLoader f), (f))     \
	F(int, xmlStrcasecmp, (const xmlChar *str1, const xmlChar *str2),   \
	  (str1, str2))                                                     \
	F(int, xmlSwitchEncoding,                                           \
	  (xmlParserCtxtPtr ctxt, xmlCharEncoding enc), (ctxt, enc))        \
	V(xmlUnlinkNode, (xmlNodePtr cur), (cur))

LAZY_TABLE(xml, XML_FNS, XML_SONAME, "libxml2")
XML_FNS(LAZY_FWD, LAZY_VFWD)
