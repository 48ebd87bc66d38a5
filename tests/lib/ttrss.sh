# Sourced by tests: start and stop a private Tiny Tiny RSS (Debian's
# tt-rss package, API level 15) on 127.0.0.1, with its own PostgreSQL
# cluster and PHP's built-in web server. Installs nothing: `sh .ci/deps
# test` does (tt-rss php8.2-cgi php8.2-pgsql dbconfig-pgsql postgresql).
# Needs root (to run PostgreSQL as postgres and PHP as www-data: tt-rss
# refuses to run as root).
#
#   . tests/lib/ttrss.sh
#   ttrss_available || skip "..."        # says why in TTRSS_WHY
#   ttrss_start FEEDDIR     # exports TTRSS_URL (.../api/), TTRSS_DIR,
#                           # TTRSS_FEEDS (the server's copy of FEEDDIR)
#   ttrss_sql "insert ..."  # SQL on its database (labels, feeds, prefs)
#   ttrss_api '{"op":"getFeeds",...}'     # one API call with curl
#   ttrss_down / ttrss_up   # stop / restart only the web server
#   ttrss_stop              # stops both by PID, removes TTRSS_DIR
#
# User admin/password, API enabled. The feeds are a copy of FEEDDIR in
# TTRSS_FEEDS: the plugin plugins.local/glean_loopback answers a fetch of
# http://127.0.0.1/NAME (any port: tt-rss drops it) with TTRSS_FEEDS/NAME,
# since this tt-rss refuses to fetch loopback addresses itself. No tt-rss
# file is changed.

TTRSS_SHARE=/usr/share/tt-rss
TTRSS_PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)

ttrss_available() {
	TTRSS_WHY=
	if [ "$(id -u)" -ne 0 ]; then
		TTRSS_WHY="needs root to run PostgreSQL and PHP as their users"
	elif [ ! -f "$TTRSS_SHARE/schema/ttrss_schema_pgsql.sql" ]; then
		TTRSS_WHY="tt-rss is not installed (sh .ci/deps test)"
	elif [ -z "$TTRSS_PGBIN" ] || [ ! -x "$TTRSS_PGBIN/initdb" ]; then
		TTRSS_WHY="postgresql is not installed (sh .ci/deps test)"
	elif ! command -v php >/dev/null 2>&1 ||
		! php -m 2>/dev/null | grep -qi '^pdo_pgsql$'; then
		TTRSS_WHY="php with pdo_pgsql is not installed (sh .ci/deps test)"
	elif ! id www-data >/dev/null 2>&1 || ! id postgres >/dev/null 2>&1; then
		TTRSS_WHY="the www-data and postgres users are missing"
	fi
	[ -z "$TTRSS_WHY" ]
}

_ttrss_as() { # user cmd...: run as user, from / (the caller's folder
	      # may be closed to that user); exec'd, so a PID is the command's
	_u=$1
	shift
	(cd / && exec setpriv --reuid="$_u" --regid="$_u" --init-groups -- "$@")
}

ttrss_sql() {
	_ttrss_as postgres "$TTRSS_PGBIN/psql" -q -X -v ON_ERROR_STOP=1 \
		-h "$TTRSS_DIR/pg" -p 5432 -U postgres -d ttrss -At -c "$1"
}

ttrss_api() {
	curl -s --max-time 20 -d "$1" "$TTRSS_URL"
}

_ttrss_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

ttrss_up() {
	# PHP_CLI_SERVER_WORKERS above 1 forks workers that outlive the
	# main process: keep one, so the PID is all of it.
	# inline, not through _ttrss_as: $! must be php itself
	(cd / && PHP_CLI_SERVER_WORKERS=1 exec setpriv --reuid=www-data \
		--regid=www-data --init-groups -- php -S \
		"127.0.0.1:$TTRSS_PORT" -t "$TTRSS_DIR/www" \
		>"$TTRSS_DIR/php.log" 2>&1) &
	TTRSS_PHP_PID=$!
	# a file, not only a variable: tests call ttrss_down and ttrss_up in
	# subshells, and ttrss_stop must find the server they left
	echo "$TTRSS_PHP_PID" >"$TTRSS_DIR/php.pid"
	_i=0
	until curl -s -o /dev/null --max-time 2 "$TTRSS_URL"; do
		_i=$((_i + 1))
		if [ "$_i" -gt 200 ] || ! kill -0 "$TTRSS_PHP_PID" 2>/dev/null; then
			echo "ttrss_up: php did not start:" >&2
			cat "$TTRSS_DIR/php.log" >&2
			return 1
		fi
		sleep 0.05
	done
	export TTRSS_PHP_PID
}

ttrss_down() {
	[ -s "${TTRSS_DIR:-/nonexistent}/php.pid" ] &&
		TTRSS_PHP_PID=$(cat "$TTRSS_DIR/php.pid")
	rm -f "${TTRSS_DIR:-/nonexistent}/php.pid"
	if [ -n "${TTRSS_PHP_PID:-}" ]; then
		kill "$TTRSS_PHP_PID" 2>/dev/null || :
		wait "$TTRSS_PHP_PID" 2>/dev/null || :
	fi
	TTRSS_PHP_PID=
}

ttrss_start() {
	# postgres and www-data must reach everything: mktemp -d is 0700
	TTRSS_DIR=$(mktemp -d /tmp/glean-ttrss.XXXXXX) || return 1
	chmod 755 "$TTRSS_DIR"
	TTRSS_FEEDS=$TTRSS_DIR/feeds
	export TTRSS_FEEDS
	cp -R "${1:-.}" "$TTRSS_FEEDS" || return 1
	chmod -R a+rX "$TTRSS_FEEDS"
	_feeds=$TTRSS_FEEDS
	mkdir "$TTRSS_DIR/pg" "$TTRSS_DIR/data"
	chown postgres "$TTRSS_DIR/pg" "$TTRSS_DIR/data"
	_ttrss_as postgres "$TTRSS_PGBIN/initdb" -D "$TTRSS_DIR/data" \
		-U postgres -A trust -E UTF8 --no-sync >"$TTRSS_DIR/initdb.log" 2>&1 || {
		cat "$TTRSS_DIR/initdb.log" >&2
		return 1
	}
	# unix socket only, in our own folder: no port to collide on
	(cd / && exec setpriv --reuid=postgres --regid=postgres --init-groups \
		-- "$TTRSS_PGBIN/postgres" -D "$TTRSS_DIR/data" \
		-c listen_addresses= -c unix_socket_directories="$TTRSS_DIR/pg" \
		-c fsync=off -c full_page_writes=off -c synchronous_commit=off \
		>"$TTRSS_DIR/pg.log" 2>&1) &
	TTRSS_PG_PID=$!
	export TTRSS_PG_PID TTRSS_DIR
	_i=0
	until "$TTRSS_PGBIN/pg_isready" -q -h "$TTRSS_DIR/pg" -p 5432; do
		_i=$((_i + 1))
		if [ "$_i" -gt 200 ] || ! kill -0 "$TTRSS_PG_PID" 2>/dev/null; then
			echo "ttrss_start: postgres did not start:" >&2
			cat "$TTRSS_DIR/pg.log" >&2
			return 1
		fi
		sleep 0.05
	done
	_ttrss_as postgres "$TTRSS_PGBIN/createdb" -h "$TTRSS_DIR/pg" \
		-U postgres ttrss || return 1
	_ttrss_as postgres "$TTRSS_PGBIN/psql" -q -X -v ON_ERROR_STOP=1 \
		-h "$TTRSS_DIR/pg" -U postgres -d ttrss \
		-f "$TTRSS_SHARE/schema/ttrss_schema_pgsql.sql" \
		>"$TTRSS_DIR/schema.log" 2>&1 || {
		cat "$TTRSS_DIR/schema.log" >&2
		return 1
	}
	# per-user pref rows appear at the first web login: make them, with
	# the API switched on
	ttrss_sql "insert into ttrss_user_prefs (owner_uid, pref_name, profile, value)
		select 1, pref_name, null, def_value from ttrss_prefs;
		update ttrss_user_prefs set value = 'true'
		where pref_name = 'ENABLE_API_ACCESS';" || return 1

	# A web root of our own: the package's config.php links into /etc
	cp -a "$TTRSS_SHARE/www" "$TTRSS_DIR/www"
	( cd "$TTRSS_SHARE/www" && find . -type l ) | while read -r _l; do
		rm -f "$TTRSS_DIR/www/$_l"
		_t=$(readlink -f "$TTRSS_SHARE/www/$_l") &&
			ln -s "$_t" "$TTRSS_DIR/www/$_l"
	done
	rm -f "$TTRSS_DIR/www/config.php" "$TTRSS_DIR/www/feed-icons"
	mkdir -p "$TTRSS_DIR/www/feed-icons" "$TTRSS_DIR/lock" \
		"$TTRSS_DIR/cache/images" "$TTRSS_DIR/cache/upload" \
		"$TTRSS_DIR/cache/export" "$TTRSS_DIR/www/plugins.local/glean_loopback"
	TTRSS_PORT=$(_ttrss_free_port)
	TTRSS_URL=http://127.0.0.1:$TTRSS_PORT/api/
	export TTRSS_PORT TTRSS_URL
	cat >"$TTRSS_DIR/www/config.php" <<EOF
<?php
	define('DB_TYPE', 'pgsql');
	define('DB_HOST', '$TTRSS_DIR/pg');
	define('DB_PORT', '5432');
	define('DB_USER', 'postgres');
	define('DB_NAME', 'ttrss');
	define('DB_PASS', '');
	define('MYSQL_CHARSET', 'UTF8');
	define('SELF_URL_PATH', 'http://127.0.0.1:$TTRSS_PORT/');
	define('SINGLE_USER_MODE', false);
	define('SIMPLE_UPDATE_MODE', false);
	define('PHP_EXECUTABLE', '/usr/bin/php');
	define('LOCK_DIRECTORY', '$TTRSS_DIR/lock');
	define('CACHE_DIR', '$TTRSS_DIR/cache');
	define('ICONS_DIR', 'feed-icons');
	define('ICONS_URL', 'feed-icons');
	define('AUTH_AUTO_CREATE', true);
	define('AUTH_AUTO_LOGIN', true);
	define('FORCE_ARTICLE_PURGE', 0);
	define('ENABLE_REGISTRATION', false);
	define('REG_NOTIFY_ADDRESS', 'user@localhost');
	define('REG_MAX_USERS', 10);
	define('SESSION_COOKIE_LIFETIME', 86400);
	define('SMTP_FROM_NAME', 'Tiny Tiny RSS');
	define('SMTP_FROM_ADDRESS', 'noreply@localhost');
	define('DIGEST_SUBJECT', '[tt-rss] digest');
	define('CHECK_FOR_UPDATES', false);
	define('ENABLE_GZIP_OUTPUT', false);
	define('PLUGINS', 'auth_internal, note, glean_loopback');
	define('LOG_DESTINATION', 'sql');
	define('CONFIG_VERSION', 26);
EOF
	cat >"$TTRSS_DIR/www/plugins.local/glean_loopback/init.php" <<EOF
<?php
/* Test only: answer fetches of http://127.0.0.1/NAME from a folder,
 * since this tt-rss refuses loopback addresses and odd ports. */
class Glean_Loopback extends Plugin {
	function about() {
		return array(1.0, "glean tests: loopback feeds", "glean", true);
	}
	function init(\$host) {
		\$host->add_hook(\$host::HOOK_FETCH_FEED, \$this);
		\$host->add_hook(\$host::HOOK_SUBSCRIBE_FEED, \$this);
		\$host->add_hook(\$host::HOOK_FEED_BASIC_INFO, \$this);
	}
	private function local(\$url) {
		\$p = parse_url(\$url);
		if (!\$p || (\$p['host'] ?? '') !== '127.0.0.1')
			return false;
		\$f = '$_feeds/' . basename(\$p['path'] ?? '');
		return is_file(\$f) ? file_get_contents(\$f) : false;
	}
	function hook_fetch_feed(\$data, \$url, \$owner, \$feed, \$ts, \$l, \$p) {
		\$d = \$this->local(\$url);
		return \$d !== false ? \$d : \$data;
	}
	function hook_subscribe_feed(\$data, \$url, \$l, \$p) {
		\$d = \$this->local(\$url);
		return \$d !== false ? \$d : \$data;
	}
	function hook_feed_basic_info(\$info, \$url, \$owner, \$feed, \$l, \$p) {
		\$d = \$this->local(\$url);
		if (\$d === false)
			return \$info;
		\$rss = new FeedParser(trim(\$d));
		\$rss->init();
		return array('title' => mb_substr(clean(\$rss->get_title()), 0, 199),
			'site_url' => mb_substr(clean(\$rss->get_link()), 0, 245));
	}
	function api_version() {
		return 2;
	}
}
EOF
	chown -R www-data "$TTRSS_DIR/lock" "$TTRSS_DIR/cache" \
		"$TTRSS_DIR/www/feed-icons"
	ttrss_up
}

ttrss_stop() {
	ttrss_down
	if [ -n "${TTRSS_PG_PID:-}" ]; then
		kill -INT "$TTRSS_PG_PID" 2>/dev/null || :  # fast shutdown
		wait "$TTRSS_PG_PID" 2>/dev/null || :
	fi
	TTRSS_PG_PID=
	[ -n "${TTRSS_DIR:-}" ] && rm -rf -- "$TTRSS_DIR"
	TTRSS_DIR= TTRSS_URL=
}
