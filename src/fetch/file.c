/*
 * file:// sources, read directly rather than through curl so that curl
 * can be built into every handle with "http,https" only. Only requests
 * that say allow_file get here (sources the user added by hand); the
 * checks on the URL itself live in fetch.c. Reads regular files only, up
 * to the body cap, and answers like a tiny HTTP server would: 200, 304
 * for a matching Last-Modified, 404 when missing.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "private.h"
#include "glean/banned.h"

void
fetch_file(const char *path, const struct fetch_req *req, size_t max_body,
	   struct fetch_resp *resp)
{
	struct stat st;
	char date[32], chunk[16384];
	int fd = -1;
	ssize_t n;

	resp->body.max = max_body;
	/* O_NONBLOCK: a FIFO must not hang the engine; fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR) {
			resp->status = 404;
			err_set(&resp->err, ERR_NOTFOUND, "no such file '%s'",
				path);
		} else {
			err_set(&resp->err, ERR_IO, "cannot open '%s': %s",
				path, strerror(errno));
		}
		goto out;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err_set(&resp->err, ERR_IO, "'%s' is not a regular file",
			path);
		goto out;
	}
	if ((uintmax_t)st.st_size > max_body) {
		err_set(&resp->err, ERR_LIMIT, "response larger than %zu bytes",
			max_body);
		goto out;
	}
	fetch_http_date((int64_t)st.st_mtime, date, sizeof(date));
	resp->last_modified = xstrdup(date);
	resp_header_add(resp, "Last-Modified", 13, date, strlen(date));
	if (req->last_modified && strcmp(req->last_modified, date) == 0) {
		resp->status = 304;
		goto out;
	}
	/* The file may grow while we read it: the cap still holds. */
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(&resp->err, ERR_IO, "cannot read '%s': %s",
				path, strerror(errno));
			goto out;
		}
		resp->bytes_received += (size_t)n;
		if (sbuf_add(&resp->body, chunk, (size_t)n) < 0) {
			err_set(&resp->err, ERR_LIMIT,
				"response larger than %zu bytes", max_body);
			goto out;
		}
	}
	resp->status = 200;
out:
	if (fd >= 0)
		close(fd);
}
