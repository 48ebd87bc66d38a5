# Sourced by tests: start and stop tests/lib/httpd.py.
#
#   . tests/lib/httpd.sh
#   httpd_start tests/data/fetch      # exports HTTPD_URL, HTTPD_LOG
#   ... curl "$HTTPD_URL/hello.txt" ...; grep ... "$HTTPD_LOG"
#   httpd_stop
#
# Only one server per shell. HTTPD_DIR holds the port file and the
# request log; it is removed by httpd_stop.

HTTPD_PY=${HTTPD_PY:-$(dirname -- "${0}")/../lib/httpd.py}
[ -f "$HTTPD_PY" ] || HTTPD_PY=tests/lib/httpd.py

httpd_start() {
	HTTPD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/glean-httpd.XXXXXX") || return 1
	HTTPD_LOG=$HTTPD_DIR/requests.jsonl
	: >"$HTTPD_LOG"
	python3 "$HTTPD_PY" --dir "${1:-.}" --port-file "$HTTPD_DIR/port" \
		--log "$HTTPD_LOG" 2>"$HTTPD_DIR/stderr" &
	HTTPD_PID=$!
	i=0
	while [ ! -s "$HTTPD_DIR/port" ]; do
		if ! kill -0 "$HTTPD_PID" 2>/dev/null; then
			echo "httpd_start: server died:" >&2
			cat "$HTTPD_DIR/stderr" >&2
			return 1
		fi
		i=$((i + 1))
		if [ "$i" -gt 200 ]; then   # 10 s
			echo "httpd_start: no port after 10 s" >&2
			httpd_stop
			return 1
		fi
		sleep 0.05
	done
	HTTPD_PORT=$(cat "$HTTPD_DIR/port")
	HTTPD_URL=http://127.0.0.1:$HTTPD_PORT
	export HTTPD_URL HTTPD_LOG HTTPD_PORT HTTPD_PID
}

httpd_stop() {
	if [ -n "${HTTPD_PID:-}" ]; then
		kill "$HTTPD_PID" 2>/dev/null
		wait "$HTTPD_PID" 2>/dev/null
	fi
	[ -n "${HTTPD_DIR:-}" ] && rm -rf -- "$HTTPD_DIR"
	HTTPD_PID= HTTPD_DIR= HTTPD_URL=
}
