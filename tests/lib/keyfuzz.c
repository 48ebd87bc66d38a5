/*
 * keyfuzz: the reader's key-sequence fuzzer (issue 12, point 1). It runs
 * the real glean binary (built with ASan+UBSan for make check and make
 * fuzz-ui) in a pseudo-terminal of its own and types seeded random key
 * sequences at it: every key the reader binds, prompts typed into and
 * abandoned, UTF-8, CJK, RTL, bidi controls, invalid bytes, raw escape
 * sequences, a 100 KB paste now and then, and resizes from 1x1 to
 * 300x100. It restarts glean when it quits, and stops (or with
 * --continue, counts and goes on) when glean dies by a signal, exits
 * non-zero or writes a sanitizer report, printing the seed and the exact
 * events since glean started: that text is a script for --replay. A
 * stall (glean reads no key for 30 s, or a 100 KB paste is not all read
 * in --paste-limit seconds, 15 by default) is reported the same way.
 * At exit of each glean it looks for temp files left in TMPDIR.
 *
 * The event script, one line each: "w COLSxROWS" (the size; the first
 * line starts glean), k "BYTES" (one key; \xHH, \r, \n, \t, \e, \\ and
 * \" escapes), "p SEED B" (a
 * 100 KB paste made from SEED, bracketed when B is 1), "s MS" (a pause
 * while the output is read) and "settle" (wait for the screen to go
 * quiet).
 *
 *   keyfuzz --glean BIN --home DIR --tmpdir DIR --logdir DIR
 *           [--seed N] [--keys N] [--editor CMD] [--browser CMD]
 *           [--size CxR] [--continue] [--replay FILE] [--quiet]
 *           [--paste-limit SECONDS]
 *
 * The environment glean sees is built here (nothing else leaks in): HOME
 * and GLEAN_HOME (DIR/glean), TMPDIR, TERM, LC_ALL=C.UTF-8, TZ=UTC,
 * EDITOR and BROWSER, PATH, and ASAN/UBSAN/LSAN_OPTIONS that write
 * reports to LOGDIR and exit with status 99.
 *
 * The last line is the totals:
 *   keyfuzz: seed S editor E: K keys, N starts, R restarts, C crashes, ...
 * Exit status: 0 when nothing was found, 1 when something was, 2 on a
 * usage or setup error.
 */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "glean/banned.h"

#define SAN_EXIT 99
#define PASTE_BYTES (100 * 1024)
#define WRITE_STALL_MS 30000    /* glean stopped reading keys: a hang */

/* ---- small helpers ---- */

static void
die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("keyfuzz: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xrealloc(NULL, n), s, n);
}

static char *
xfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("bad format");
	s = xrealloc(NULL, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A growing text buffer (the event log since glean last started). */
struct buf {
	char *s;
	size_t len, cap;
};

static void
buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void
buf_addf(struct buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n
							: sizeof(tmp) - 1);
}

/* splitmix64: small, seedable, the same on every machine. */
static uint64_t rng_state;

static uint64_t
rng(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned
rnd(unsigned n)
{
	return n ? (unsigned)(rng() % n) : 0;
}

#define PICK(a) ((a)[rnd(sizeof(a) / sizeof((a)[0]))])

/* ---- options and totals ---- */

static struct {
	const char *glean, *home, *tmpdir, *logdir, *editor, *browser;
	const char *replay, *term;
	unsigned long long seed;
	long keys;
	int cols, rows, paste_limit;
	bool cont, quiet;
} opt = { .keys = 1000, .cols = 120, .rows = 30, .browser = "true",
	  .paste_limit = 15 };

static struct {
	long keys, starts, restarts, crashes, reports, leaked, kept, stalls;
	long resizes, pastes, pastes_skipped, prompts, suspends;
	unsigned long long out_bytes;
} tot;

/* ---- the child in its pty ---- */

static int master = -1;
static pid_t child = -1;
static int cur_cols, cur_rows;
static struct buf events;       /* since the last start, a --replay script */
static char **child_env;

static void
build_env(void)
{
	const char *path = getenv("PATH");
	size_t n = 0;

	child_env = xrealloc(NULL, 20 * sizeof(char *));
	child_env[n++] = xfmt("PATH=%s", path ? path : "/usr/bin:/bin");
	child_env[n++] = xfmt("HOME=%s", opt.home);
	child_env[n++] = xfmt("GLEAN_HOME=%s/glean", opt.home);
	child_env[n++] = xfmt("XDG_CONFIG_HOME=%s/.config", opt.home);
	child_env[n++] = xfmt("XDG_DATA_HOME=%s/.local/share", opt.home);
	child_env[n++] = xfmt("XDG_STATE_HOME=%s/.local/state", opt.home);
	child_env[n++] = xfmt("TMPDIR=%s", opt.tmpdir);
	child_env[n++] = xfmt("TERM=%s", opt.term);
	child_env[n++] = xstrdup("LC_ALL=C.UTF-8");
	child_env[n++] = xstrdup("TZ=UTC");
	if (opt.editor)
		child_env[n++] = xfmt("EDITOR=%s", opt.editor);
	child_env[n++] = xfmt("BROWSER=%s", opt.browser);
	child_env[n++] = xfmt("ASAN_OPTIONS=log_path=%s/asan:exitcode=%d:"
			      "abort_on_error=0:detect_leaks=1:"
			      "handle_abort=1", opt.logdir, SAN_EXIT);
	child_env[n++] = xfmt("UBSAN_OPTIONS=log_path=%s/ubsan:exitcode=%d:"
			      "halt_on_error=1:print_stacktrace=1",
			      opt.logdir, SAN_EXIT);
	child_env[n++] = xfmt("LSAN_OPTIONS=exitcode=%d", SAN_EXIT);
	child_env[n] = NULL;
}

static void
set_size(int fd, int cols, int rows)
{
	struct winsize ws = { 0 };

	ws.ws_col = (unsigned short)cols;
	ws.ws_row = (unsigned short)rows;
	if (ioctl(fd, TIOCSWINSZ, &ws) < 0)
		die("TIOCSWINSZ: %s", strerror(errno));
}

static void
start_glean(void)
{
	char *slave;
	int fd;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
	    !(slave = ptsname(master)))
		die("cannot open a pseudo-terminal: %s", strerror(errno));
	slave = xstrdup(slave);
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		char *argv[] = { "glean", NULL };

		setsid();
		fd = open(slave, O_RDWR);
		if (fd < 0)
			_exit(126);
		ioctl(fd, TIOCSCTTY, 0);
		set_size(fd, cur_cols, cur_rows);
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
		close(master);
		signal(SIGPIPE, SIG_DFL);
		execve(opt.glean, argv, child_env);
		_exit(127);
	}
	free(slave);
	fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK);
	tot.starts++;
	events.len = 0;
	buf_addf(&events, "w %dx%d\n", cur_cols, cur_rows);
}

/* Read and drop whatever glean wrote; false once the pty is closed. */
static bool
drain(void)
{
	char tmp[65536];
	ssize_t n;

	for (;;) {
		n = read(master, tmp, sizeof(tmp));
		if (n > 0) {
			tot.out_bytes += (unsigned long long)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
}

static int child_status;
static bool child_done;

static bool
child_exited(void)
{
	pid_t r;

	if (child_done)
		return true;
	r = waitpid(child, &child_status, WNOHANG | WUNTRACED);
	if (r == child && WIFSTOPPED(child_status)) {
		/* ^C, ^Z, ^\ typed while glean's terminal was cooked (as it
		 * quits or runs $EDITOR) stopped it: 'fg' it, as a shell would */
		tot.suspends++;
		kill(child, SIGCONT);
		return false;
	}
	if (r == child) {
		child_done = true;
		drain();
	}
	return child_done;
}

/* Drain output for ms milliseconds (or until glean exits). */
static void
pump(int ms)
{
	int64_t end = now_ms() + ms;

	for (;;) {
		struct pollfd p = { master, POLLIN, 0 };
		int64_t left = end - now_ms();

		if (child_exited())
			return;
		if (left <= 0) {
			drain();
			return;
		}
		if (poll(&p, 1, left > 50 ? 50 : (int)left) > 0 && !drain()) {
			/* pty closed: glean (and its editor) are gone */
			while (!child_exited() && now_ms() < end + 5000)
				usleep(2000);
			return;
		}
	}
}

/* After a start: wait for glean's first output (it draws once its
 * terminal is raw; keys typed before that would be cooked, ^C a SIGINT),
 * then for the screen to go quiet. */
static void settle(int quiet_ms, int max_ms);

static void
settle_start(void)
{
	int64_t end = now_ms() + 5000;
	unsigned long long before = tot.out_bytes;

	while (tot.out_bytes == before && now_ms() < end && !child_exited())
		pump(20);
	settle(100, 3000);
}

/* Wait until the screen is quiet for quiet_ms (at most max_ms). */
static void
settle(int quiet_ms, int max_ms)
{
	int64_t end = now_ms() + max_ms, last = now_ms();

	while (now_ms() < end && now_ms() - last < quiet_ms) {
		struct pollfd p = { master, POLLIN, 0 };
		unsigned long long before = tot.out_bytes;

		if (child_exited())
			return;
		if (poll(&p, 1, 20) > 0 && !drain()) {
			pump(100);
			return;
		}
		if (tot.out_bytes != before)
			last = now_ms();
	}
}

static bool stalled;
static char stall_why[128];

/* Type bytes, draining output meanwhile; false when glean is gone or
 * stopped reading (no byte taken for WRITE_STALL_MS, or all of them not
 * taken in limit_ms when that is not 0). */
static bool
type_bytes_within(const char *s, size_t n, int limit_ms)
{
	int64_t last = now_ms(), t0 = last;
	size_t total = n;

	while (n > 0) {
		struct pollfd p = { master, POLLIN | POLLOUT, 0 };
		ssize_t w;

		if (child_exited())
			return false;
		if (poll(&p, 1, 50) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			if (!drain()) {
				pump(100);
				return false;
			}
		}
		if (p.revents & POLLOUT) {
			w = write(master, s, n > 4096 ? 4096 : n);
			if (w > 0) {
				s += w;
				n -= (size_t)w;
				last = now_ms();
			} else if (w < 0 && errno != EAGAIN && errno != EINTR) {
				return false;
			}
		}
		if (now_ms() - last > WRITE_STALL_MS) {
			snprintf(stall_why, sizeof(stall_why), "glean stopped "
				 "reading keys for %d s",
				 WRITE_STALL_MS / 1000);
			stalled = true;
			return false;
		}
		if (limit_ms && now_ms() - t0 > limit_ms) {
			snprintf(stall_why, sizeof(stall_why), "glean took "
				 "only %zu of %zu typed bytes in %d s",
				 total - n, total, limit_ms / 1000);
			stalled = true;
			return false;
		}
	}
	return true;
}

static bool
type_bytes(const char *s, size_t n)
{
	return type_bytes_within(s, n, 0);
}

/* ---- the event log: a script --replay reads back ---- */

static void
log_key(const char *s, size_t n)
{
	size_t i;

	buf_add(&events, "k \"", 3);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			buf_addf(&events, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			buf_addf(&events, "\\x%02x", c);
		else
			buf_add(&events, (const char *)&c, 1);
	}
	buf_add(&events, "\"\n", 2);
}

/* A 100 KB paste made from its own seed, so the log stays short. */
static char *
make_paste(uint64_t seed, size_t n)
{
	static const char *bits[] = {
		"word ", "日本語の文 ", "مرحبا بالعالم ", "שלום ", "\xe2\x80\xae",
		"\xff", "\xc3", "\x1b[31m", "\t", "\n", "é", "👍🏽 ", "<b>", "&lt;",
		"\x01", "\x7f", "\xed\xa0\x80", "xxxxxxxxxxxxxxxxxxxxxxxxxxx",
	};
	uint64_t save = rng_state;
	char *p = xrealloc(NULL, n + 1);
	size_t len = 0;

	rng_state = seed;
	while (len < n) {
		const char *b = PICK(bits);
		size_t k = strlen(b);

		if (k > n - len)
			k = n - len;
		memcpy(p + len, b, k);
		len += k;
	}
	p[n] = '\0';
	rng_state = save;
	return p;
}

/* ---- sending events (all go through these, so they are logged) ---- */

static bool
send_key(const char *s, size_t n)
{
	log_key(s, n);
	tot.keys++;
	return type_bytes(s, n);
}

static bool
send_str(const char *s)
{
	return send_key(s, strlen(s));
}

/* Once a paste has stalled glean, later ones would only find the same
 * stall again at 15 s each: they are skipped (and counted). */
static bool paste_off;

static bool
send_paste(uint64_t seed, bool bracketed)
{
	char *p;
	bool ok = true;

	if (paste_off) {
		tot.pastes_skipped++;
		return true;
	}
	p = make_paste(seed, PASTE_BYTES);
	buf_addf(&events, "p %llu %d\n", (unsigned long long)seed,
		 bracketed);
	tot.keys++;
	tot.pastes++;
	if (bracketed)
		ok = type_bytes("\x1b[200~", 6);
	ok = ok && type_bytes_within(p, PASTE_BYTES, opt.paste_limit * 1000);
	if (bracketed && ok)
		ok = type_bytes("\x1b[201~", 6);
	if (stalled)
		paste_off = true;
	free(p);
	return ok;
}

static void
do_resize(int cols, int rows)
{
	buf_addf(&events, "w %dx%d\n", cols, rows);
	cur_cols = cols;
	cur_rows = rows;
	tot.resizes++;
	set_size(master, cols, rows);
	kill(child, SIGWINCH);
}

static void
do_sleep(int ms)
{
	buf_addf(&events, "s %d\n", ms);
	pump(ms);
}

static void
do_settle(void)
{
	buf_add(&events, "settle\n", 7);
	settle(150, 1500);
}

/* ---- what to type ---- */

/* Every key the reader binds by default (SENSE_ACTIONS in
 * src/sense/private.h; 'glean ui --keys' lists them), and the digits
 * (link numbers). */
static const char *const cmd_keys[] = {
	"q", "?", "j", "k", "j", "k", "j", "k", "g", "G", "l", "n", "p", "r",
	"R", "o", "N", "C", "t", "a", "A", "A", "h", "s", "m", "u", "/", "F",
	"J", "K", "O", "E", "E", "e", "x",
	":", "D", "S", " ", "-", "\r", "\r", "\r", "\t", "\x7f", "\x06",
	"\x02", "\x0c", "1", "2", "9", "0", "\x1b[A", "\x1b[B", "\x1b[C",
	"\x1b[D", "\x1bOA", "\x1bOB", "\x1bOC", "\x1bOD", "\x1b[5~",
	"\x1b[6~", "\x1b[H", "\x1b[F", "\x1b[1~", "\x1b[4~", "\x1bOH",
	"\x1bOF",
};

static const char *const special_keys[] = {
	"\x1bOP", "\x1bOQ", "\x1bOR", "\x1bOS", "\x1b[15~", "\x1b[17~",
	"\x1b[18~", "\x1b[19~", "\x1b[20~", "\x1b[21~", "\x1b[23~",
	"\x1b[24~", "\x1b[2~", "\x1b[3~", "\x1b[Z", "\x1b[1;5A",
	"\x1b[1;2B", "\x1b[1;3C", "\x1b[5;5~", "\x1b", "\x1b\x1b", "\x08",
	"\n", "\x1bj", "\x1bq", "\x1b[E", "\x1b[G",
};

static const char *const texts[] = {
	"é", "ñandú", "日本語", "中文标题", "한국어", "مرحبا", "שלום עולם",
	"\xe2\x80\xae" "evil", "\xe2\x80\x8f",
	"\xe2\x81\xa6" "x" "\xe2\x81\xa9",
	"\xe2\x80\x8b", "a\xcc\x81", "👍🏽", "👨‍👩‍👧", "\xef\xbb\xbf", "\xff",
	"\xfe\xfe", "\xc3", "\xe6\x97", "\xed\xa0\x80", "\xc0\xaf",
	"\xf4\x90\x80\x80", "\x80", "%s%n", "'; DROP TABLE item;--",
	"tag:civic", "before:7d", "\"quoted\"", "<b>bold</b>", "&lt;x&gt;",
	"..", "/etc/passwd", "-rf", "+tag", "-tag", "civic", "a b c",
	"\xef\xbf\xbd", "\xe3\x80\x80", "\xd8\xa7\xd9\x84", "\x7f",
};

static const char *const escapes[] = {
	"\x1b[31m", "\x1b[0m", "\x1b]0;title\x07", "\x1b]52;c;aGk=\x07",
	"\x1b[?1049h", "\x1b[?1049l", "\x1b[99999999999999999999A",
	"\x1b[M !!", "\x1b[<0;10;10M", "\x1b[<0;10;10m", "\x1bP+q544e\x1b\\",
	"\x1b[6n", "\x1b[2J", "\x1b[?25l", "\x1b[", "\x1b[1;", "\x1bO",
	"\x1b[200~", "\x1b[201~", "\x1b" "c", "\x1b[;;;;;;;;;;;;;;;;;;;;;;;H",
	"\x9b" "31m",
};

static const char *const action_names[] = {
	"quit", "quit-all", "help", "down", "up", "page-down", "page-up",
	"top", "bottom", "open", "back", "next-pane", "next-unread",
	"prev-unread", "reload", "reload-all", "open-link", "toggle-read",
	"catch-up", "tag", "note", "note-editor", "quote", "star", "mark",
	"next-source", "prev-source", "catch-up-all", "sort", "edit-note",
	"remove-note",
	"undo", "search", "filter", "command", "digest", "share", "redraw",
	"none", "nosuch", "",
};

/* Keys that open a prompt: note, quote, tag, search, filter, command,
 * open-link (asks which link), share (asks which target / y/n),
 * catch-up-all and remove-note (y/n), edit-note. */
static const char *const prompt_keys[] = { "a", "h", "t", "/", "F", ":",
					   "o", "S", "C", "e", "x" };

static const char *const prompt_ends[] = {
	"\r", "\r", "\r", "\x1b", "\x1b", "\x03", "\x03", "\x07", "\x07",
	"\n", "y", "n",
};

static bool
send_one_text(void)
{
	char c[8];
	unsigned r = rnd(100);

	if (r < 45) {
		c[0] = (char)(' ' + rnd(95));
		return send_key(c, 1);
	}
	if (r < 75)
		return send_str(PICK(texts));
	if (r < 82) {
		c[0] = (char)(1 + rnd(26));
		return send_key(c, 1);
	}
	if (r < 88)
		return send_str(PICK(escapes));
	if (r < 94)
		return send_str(PICK(special_keys));
	if (r < 98)
		return send_str("\x7f");
	return send_str("\t");
}

/* Open a prompt, type into it and end it (or leave it open). */
static bool
prompt_scenario(void)
{
	const char *key = PICK(prompt_keys);
	unsigned n, i;

	tot.prompts++;
	if (!send_str(key))
		return false;
	if (rnd(3) == 0)
		do_settle();
	if (!strcmp(key, ":") && rnd(10) < 6) {
		if (!send_str(PICK(action_names)))
			return false;
	} else if (rnd(200) == 0) {
		if (!send_paste(rng(), rnd(2)))
			return false;
	} else {
		n = rnd(4) == 0 ? rnd(60) : rnd(12);
		for (i = 0; i < n; i++) {
			if (!send_one_text())
				return false;
			if (rnd(4) == 0)
				do_sleep((int)rnd(5));
		}
	}
	if (rnd(8) == 0)
		return true;            /* left open: later keys go into it */
	return send_str(PICK(prompt_ends));
}

static void
random_size(int *cols, int *rows)
{
	static const int common[][2] = {
		{ 80, 24 }, { 120, 30 }, { 100, 30 }, { 200, 50 },
		{ 132, 43 }, { 99, 24 }, { 101, 40 }, { 60, 20 }, { 300, 100 },
	};
	static const int tiny[][2] = {
		{ 1, 1 }, { 2, 2 }, { 1, 50 }, { 300, 1 }, { 10, 3 }, { 20, 5 },
		{ 40, 10 }, { 3, 100 }, { 79, 2 },
	};
	unsigned r = rnd(10);

	if (r < 5) {
		*cols = common[rnd(9)][0];
		*rows = common[rnd(9)][1];
	} else if (r < 8) {
		*cols = tiny[rnd(9)][0];
		*rows = tiny[rnd(9)][1];
	} else {
		*cols = 1 + (int)rnd(300);
		*rows = 1 + (int)rnd(100);
	}
}

/* One step of the random walk; false when glean is gone. */
static bool
step(void)
{
	unsigned r = rnd(1000);
	bool ok = true;

	if (r < 450) {
		const char *k = PICK(cmd_keys);

		/* q quits from the list: keep restarts from eating the run */
		if (!strcmp(k, "q") && rnd(2))
			k = "j";
		ok = send_str(k);
	} else if (r < 470) {
		ok = send_str(rnd(4) ? "q" : "Q");
	} else if (r < 560) {
		ok = send_one_text();
	} else if (r < 700) {
		ok = prompt_scenario();
	} else if (r < 730) {
		ok = send_str(PICK(escapes));
	} else if (r < 780) {
		int c, w;

		random_size(&c, &w);
		do_resize(c, w);
	} else if (r < 830) {
		do_settle();
	} else if (r < 860) {
		unsigned n = 5 + rnd(25), i;

		for (i = 0; ok && i < n; i++)
			ok = send_str(PICK(cmd_keys));
	} else if (r < 862) {
		static const char *const pk[] = { "a", "h", "t", "/", "F",
						  ":" };

		tot.prompts++;
		ok = send_str(PICK(pk));
		if (ok) {
			do_settle();
			ok = send_paste(rng(), rnd(2));
		}
		ok = ok && send_str(PICK(prompt_ends));
	} else if (r < 870) {
		do_sleep(100 + (int)rnd(400));  /* let a fetch finish */
	} else {
		ok = send_str(PICK(cmd_keys));
	}
	if (ok && !child_exited() && rnd(3))
		do_sleep((int)rnd(6));
	return ok && !child_exited();
}

/* ---- after glean ends: sanitizer logs, temp files ---- */

/* Sanitizer reports in logdir not seen before: print them. */
static int
scan_reports(void)
{
	DIR *d = opendir(opt.logdir);
	struct dirent *de;
	int found = 0;

	if (!d)
		die("cannot read '%s': %s", opt.logdir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *path, line[512];
		FILE *fp;
		int n = 0;

		if (strncmp(de->d_name, "asan.", 5) &&
		    strncmp(de->d_name, "ubsan.", 6))
			continue;
		path = xfmt("%s/%s", opt.logdir, de->d_name);
		fp = fopen(path, "r");
		if (fp) {
			printf("# sanitizer report %s:\n", path);
			while (fgets(line, sizeof(line), fp) && n++ < 40)
				printf("#   %s", line);
			fclose(fp);
			found++;
		}
		/* keep it for the reader, out of the next scan */
		{
			char *seen = xfmt("%s/seen-%s", opt.logdir,
					  de->d_name);

			rename(path, seen);
			free(seen);
		}
		free(path);
	}
	closedir(d);
	return found;
}

/* A draft glean chose to keep (it says "the draft is in PATH"): a
 * non-empty file that starts as glean writes drafts. */
static bool
kept_draft(const char *path)
{
	char head[256];
	FILE *fp = fopen(path, "r");
	size_t n;

	if (!fp)
		return false;
	n = fread(head, 1, sizeof(head) - 1, fp);
	fclose(fp);
	head[n] = '\0';
	return n > 0 && strstr(head, "# Write your note above") != NULL;
}

/* Temp files glean left in TMPDIR: drafts it keeps on purpose are
 * counted as kept; anything else (an empty draft, an empty draft
 * directory, a stray file) as leaked. Both are moved aside so the next
 * scan sees only new ones. */
static int
scan_tmpdir(void)
{
	DIR *d = opendir(opt.tmpdir);
	struct dirent *de;
	int leaked = 0;

	if (!d)
		die("cannot read '%s': %s", opt.tmpdir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		char *path;
		struct stat sb;
		bool leak = true;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		path = xfmt("%s/%s", opt.tmpdir, de->d_name);
		if (lstat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
		    !strncmp(de->d_name, "glean-note-", 11)) {
			DIR *dd = opendir(path);
			struct dirent *e2;
			int files = 0, kept = 0;

			while (dd && (e2 = readdir(dd)) != NULL) {
				char *f;

				if (e2->d_name[0] == '.')
					continue;
				files++;
				f = xfmt("%s/%s", path, e2->d_name);
				if (kept_draft(f))
					kept++;
				else
					printf("# leaked temp file: %s (%s)\n",
					       f, "not a draft glean keeps");
				free(f);
			}
			if (dd)
				closedir(dd);
			if (files == 0)
				printf("# leaked temp dir: %s (empty)\n", path);
			leak = files == 0 || kept < files;
			tot.kept += kept;
		} else {
			printf("# leaked temp file: %s\n", path);
		}
		if (leak)
			leaked++;
		{
			char *aside = xfmt("%s/tmp-%ld-%s", opt.logdir,
					   tot.starts, de->d_name);

			rename(path, aside);
			free(aside);
		}
		free(path);
	}
	closedir(d);
	return leaked;
}

static void
print_events(const char *why)
{
	printf("# %s: seed %llu, editor %s, start %ld; the events since "
	       "glean started (a --replay script):\n", why, opt.seed,
	       opt.editor ? opt.editor : "(unset)", tot.starts);
	fputs(events.s ? events.s : "", stdout);
	printf("# end of events\n");
	fflush(stdout);
}

/* glean ended (or we ended it): judge it. True when something was found. */
static bool
judge(bool we_killed)
{
	int reports = scan_reports(), leaked;
	bool bad = false;
	char why[128];

	why[0] = '\0';
	if (stalled) {
		snprintf(why, sizeof(why), "%s", stall_why);
	} else if (WIFSIGNALED(child_status) && !we_killed) {
		snprintf(why, sizeof(why), "glean died of signal %d (%s)",
			 WTERMSIG(child_status),
			 strsignal(WTERMSIG(child_status)));
	} else if (WIFEXITED(child_status) &&
		   WEXITSTATUS(child_status) == SAN_EXIT) {
		snprintf(why, sizeof(why), "glean exited %d: a sanitizer "
			 "report", SAN_EXIT);
	} else if (WIFEXITED(child_status) && WEXITSTATUS(child_status)) {
		snprintf(why, sizeof(why), "glean exited %d",
			 WEXITSTATUS(child_status));
	} else if (reports) {
		snprintf(why, sizeof(why), "a sanitizer report");
	}
	tot.reports += reports;
	if (why[0]) {
		if (stalled)
			tot.stalls++;
		else
			tot.crashes++;
		print_events(why);
		bad = true;
	}
	leaked = scan_tmpdir();
	if (leaked) {
		tot.leaked += leaked;
		if (!why[0])
			print_events("temp files left behind");
		bad = true;
	}
	stalled = false;
	close(master);
	master = -1;
	child_done = false;
	return bad;
}

/* Ask glean to quit (abandoning any prompt), then make it. */
static bool
stop_glean(void)
{
	int i;
	bool killed = false;

	for (i = 0; i < 6 && !child_exited(); i++) {
		type_bytes("\x07\x1b", 2);
		pump(60);
		type_bytes("Q", 1);
		pump(300);
	}
	if (!child_exited()) {
		kill(child, SIGTERM);
		pump(2000);
		killed = true;
	}
	if (!child_exited()) {
		kill(child, SIGKILL);
		waitpid(child, &child_status, 0);
		child_done = true;
	}
	return killed;
}

/* ---- replay ---- */

static size_t
unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s && *s != '"') {
		if (*s == '\\' && s[1] == 'x' && s[2] && s[3]) {
			char hex[3] = { s[2], s[3], 0 };

			out[n++] = (char)strtol(hex, NULL, 16);
			s += 4;
		} else if (*s == '\\' && s[1]) {
			const char *from = "rnte", *to = "\r\n\t\x1b";
			const char *c = strchr(from, s[1]);

			out[n++] = c ? to[c - from] : s[1];
			s += 2;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

static int
replay(void)
{
	FILE *fp = fopen(opt.replay, "r");
	char line[8192], key[8192];
	bool first = true, bad = false;

	if (!fp)
		die("cannot read '%s': %s", opt.replay, strerror(errno));
	while (fgets(line, sizeof(line), fp)) {
		int c, r, ms, br;
		unsigned long long sd;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, "w %dx%d", &c, &r) == 2) {
			if (first) {
				cur_cols = c;
				cur_rows = r;
				start_glean();
				settle_start();
				first = false;
			} else {
				do_resize(c, r);
			}
			continue;
		}
		if (first)
			die("%s: the script must start with 'w COLSxROWS'",
			    opt.replay);
		if (child_exited() || stalled)
			break;
		if (line[0] == 'k' && line[1] == ' ' && line[2] == '"')
			send_key(key, unescape(line + 3, key));
		else if (sscanf(line, "p %llu %d", &sd, &br) == 2)
			send_paste(sd, br);
		else if (sscanf(line, "s %d", &ms) == 1)
			do_sleep(ms);
		else if (!strncmp(line, "settle", 6))
			do_settle();
		else
			die("%s: cannot read the line '%s'", opt.replay, line);
	}
	fclose(fp);
	if (first)
		die("%s: no events", opt.replay);
	if (stalled && !child_exited()) {
		kill(child, SIGKILL);
		waitpid(child, &child_status, 0);
		child_done = true;
	}
	settle(300, 3000);
	bad = judge(child_exited() ? false : stop_glean());
	printf("keyfuzz: replay %s: %ld keys, %ld crashes, %ld sanitizer "
	       "reports, %ld leaked files, %ld stalls\n", opt.replay,
	       tot.keys, tot.crashes, tot.reports, tot.leaked, tot.stalls);
	return bad ? 1 : 0;
}

/* ---- main ---- */

static void
usage(void)
{
	fputs("usage: keyfuzz --glean BIN --home DIR --tmpdir DIR --logdir "
	      "DIR\n"
	      "               [--seed N] [--keys N] [--editor CMD] "
	      "[--browser CMD]\n"
	      "               [--size COLSxROWS] [--term NAME] [--continue] "
	      "[--quiet]\n"
	      "               [--paste-limit SECONDS] [--replay FILE]\n",
	      stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	int i;
	bool bad = false;
	int64_t t0 = now_ms();

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--continue")) {
			opt.cont = true;
			continue;
		}
		if (!strcmp(a, "--quiet")) {
			opt.quiet = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--glean"))
			opt.glean = v;
		else if (!strcmp(a, "--home"))
			opt.home = v;
		else if (!strcmp(a, "--tmpdir"))
			opt.tmpdir = v;
		else if (!strcmp(a, "--logdir"))
			opt.logdir = v;
		else if (!strcmp(a, "--editor"))
			opt.editor = v;
		else if (!strcmp(a, "--browser"))
			opt.browser = v;
		else if (!strcmp(a, "--term"))
			opt.term = v;
		else if (!strcmp(a, "--replay"))
			opt.replay = v;
		else if (!strcmp(a, "--seed"))
			opt.seed = strtoull(v, NULL, 10);
		else if (!strcmp(a, "--keys"))
			opt.keys = strtol(v, NULL, 10);
		else if (!strcmp(a, "--paste-limit"))
			opt.paste_limit = (int)strtol(v, NULL, 10);
		else if (!strcmp(a, "--size")) {
			if (sscanf(v, "%dx%d", &opt.cols, &opt.rows) != 2 ||
			    opt.cols < 1 || opt.rows < 1)
				usage();
		} else
			usage();
	}
	if (!opt.glean || !opt.home || !opt.tmpdir || !opt.logdir)
		usage();
	if (!opt.term)
		opt.term = "xterm-256color";
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	build_env();
	rng_state = opt.seed;
	cur_cols = opt.cols;
	cur_rows = opt.rows;
	if (opt.replay)
		return replay();

	start_glean();
	settle_start();
	while (tot.keys < opt.keys) {
		if (step())
			continue;
		if (!child_exited() && !stalled)
			continue;
		if (stalled) {
			kill(child, SIGKILL);
			waitpid(child, &child_status, 0);
			child_done = true;
		}
		if (judge(false)) {
			bad = true;
			if (!opt.cont)
				break;
		} else if (WIFEXITED(child_status) &&
			   !WEXITSTATUS(child_status)) {
			tot.restarts++;
		}
		if (!opt.quiet && tot.starts % 50 == 0)
			fprintf(stderr, "keyfuzz: %ld keys, %ld starts\n",
				tot.keys, tot.starts);
		start_glean();
		settle_start();
	}
	if (master >= 0) {
		bool killed;

		settle(200, 2000);
		killed = child_exited() ? false : stop_glean();
		if (judge(killed))
			bad = true;
	}
	printf("keyfuzz: seed %llu editor %s: %ld keys, %ld starts, %ld "
	       "restarts, %ld crashes, %ld sanitizer reports, %ld leaked "
	       "files, %ld kept drafts, %ld stalls, %ld resizes, %ld prompts, "
	       "%ld pastes (%ld skipped after a stall), %ld suspends, %llu "
	       "bytes drawn, %.1f s\n", opt.seed,
	       opt.editor ? opt.editor : "(unset)", tot.keys, tot.starts,
	       tot.restarts, tot.crashes, tot.reports, tot.leaked, tot.kept,
	       tot.stalls, tot.resizes, tot.prompts, tot.pastes,
	       tot.pastes_skipped, tot.suspends, tot.out_bytes,
	       (double)(now_ms() - t0) / 1000);
	return bad ? 1 : 0;
}
