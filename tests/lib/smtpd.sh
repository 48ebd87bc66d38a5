# Sourced by tests: start and stop tests/lib/smtpd.py, a real SMTP server
# (aiosmtpd) on 127.0.0.1. smtpd_start [--drop-first] exports SMTPD_URL
# (smtp://127.0.0.1:PORT) and SMTPD_DIR, where message N lands as N.eml.
SMTPD_PY=${SMTPD_PY:-$TEST_ROOT/tests/lib/smtpd.py}

# The Debian python3 has aiosmtpd; a python3 earlier on PATH may not.
smtpd_python() {
	for py in python3 /usr/bin/python3; do
		if "$py" -c 'import aiosmtpd' 2>/dev/null; then
			echo "$py"
			return 0
		fi
	done
	return 1
}

smtpd_start() {
	SMTPD_PYTHON=$(smtpd_python) || {
		echo "smtpd_start: python3-aiosmtpd is not installed" >&2
		return 1
	}
	SMTPD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/glean-smtpd.XXXXXX") || return 1
	"$SMTPD_PYTHON" "$SMTPD_PY" --dir "$SMTPD_DIR" \
		--port-file "$SMTPD_DIR/port" "$@" 2>"$SMTPD_DIR/stderr" &
	SMTPD_PID=$!
	i=0
	while [ ! -s "$SMTPD_DIR/port" ]; do
		if ! kill -0 "$SMTPD_PID" 2>/dev/null; then
			echo "smtpd_start: server died:" >&2
			cat "$SMTPD_DIR/stderr" >&2
			return 1
		fi
		i=$((i + 1))
		if [ "$i" -gt 200 ]; then
			echo "smtpd_start: no port after 10 s" >&2
			smtpd_stop
			return 1
		fi
		sleep 0.05
	done
	SMTPD_URL=smtp://127.0.0.1:$(cat "$SMTPD_DIR/port")
	export SMTPD_URL SMTPD_DIR SMTPD_PID SMTPD_PYTHON
}

smtpd_stop() {
	if [ -n "${SMTPD_PID:-}" ]; then
		kill "$SMTPD_PID" 2>/dev/null
		wait "$SMTPD_PID" 2>/dev/null
	fi
	[ -n "${SMTPD_DIR:-}" ] && rm -rf -- "$SMTPD_DIR"
	SMTPD_PID= SMTPD_DIR= SMTPD_URL=
}
