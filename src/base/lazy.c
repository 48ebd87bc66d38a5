/*
 * Libraries loaded the first time glean calls them, not at every start.
 * Each linked library is mapped and relocated before main() by every
 * command: libxml2 brings ICU and libstdc++, libcrypto is large, and
 * together with uchardet and libcurl they were most of the start of a
 * command that uses none of them ('glean search', 'glean items': issue
 * 18 asks for a whole search in 10 ms at a million items). Measured on
 * an empty program: linked with all of glean's libraries it starts in
 * 3.7 ms, without libxml2, libcrypto and uchardet in 1.8 ms.
 *
 * A loader (src/fetch/curl_load.c, src/parse/xml_load.c, ...) defines
 * the library's functions that glean calls; each looks the library's
 * own up through a table filled here, by dlopen() of the soname the
 * link used and dlsym(). The table sits alone on its page and is made
 * read-only once filled, as RELRO with -z now does for the linker's.
 */
#include <dlfcn.h>
#include <string.h>
#include <sys/mman.h>

#include "glean/base.h"
#include "glean/banned.h"

void
lazy_load(const char *soname, const char *pkg, const char *const *names,
	  size_t n, void *table, size_t size)
{
	void *lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	size_t k;

	if (!lib)
		die("cannot load %s (%s): install it (Debian: %s)", soname,
		    dlerror(), pkg);
	for (k = 0; k < n; k++) {
		void *p = dlsym(lib, names[k]);

		if (!p)
			die("%s has no %s: install a newer %s", soname,
			    names[k], pkg);
		/* POSIX: a data pointer from dlsym converts to a function
		 * pointer; stored through its bytes */
		memcpy((char *)table + k * sizeof(p), &p, sizeof(p));
	}
	if (mprotect(table, size, PROT_READ) < 0)
		log_warn("cannot make %s's table read-only", soname);
}
