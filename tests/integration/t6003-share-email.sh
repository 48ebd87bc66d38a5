#!/bin/sh
# glean share to an e-mail target against a real SMTP server on 127.0.0.1
# (aiosmtpd): one multipart/alternative message to several recipients,
# RFC 2047 Subject, no header injection, a dot-leading line intact; a
# second run sends nothing; a reply lost after DATA is left unknown.
. "$(dirname "$0")/../lib/lib.sh"
. "$TEST_ROOT/tests/lib/smtpd.sh"
. "$TEST_ROOT/tests/lib/share-week.sh"

smtpd_start || exit 1
test_on_exit smtpd_stop
cat >"$GLEAN_HOME/config" <<EOC
[target "weekly-email"]
kind = email
smtp-url = $SMTPD_URL
starttls = off
from = Glean Digest <digest@example.org>
to = ana@example.org
to = Ben <ben@example.net>
title = Wöchentliche Links: civic & health
EOC

# mime.py FILE: print the parts of the message as "KEY: value" lines
cat >mime.py <<'EOP'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=email.policy.default)
raw = open(sys.argv[1], "rb").read().decode("ascii")
print("raw-subject:", [l for l in raw.split("\r\n") if l.startswith("Subject:")][0])
for h in ("From", "To", "Subject", "Message-ID", "MIME-Version", "Date"):
    print("%s: %s" % (h, m[h]))
print("type:", m.get_content_type())
for p in m.iter_parts():
    print("part:", p.get_content_type(), p.get_content_charset())
    open("part-" + p.get_content_subtype(), "w").write(p.get_content())
EOP

test_expect_success 'a week of marked, tagged, annotated items' '
	share_week
'

test_expect_success 'dry run prints the message that would be sent' '
	glean share weekly-email --dry-run >out &&
	test_grep "^--- message to 2 recipients: [0-9]* bytes ---" out &&
	test_grep "^Subject: =?UTF-8?B?" out &&
	test "$(ls "$SMTPD_DIR"/*.eml 2>/dev/null | wc -l)" = 0
'

test_expect_success 'share delivers one message to every recipient' '
	glean share weekly-email >out &&
	test_grep "shared digest 1 to .weekly-email.: 1 sent" out &&
	test -f "$SMTPD_DIR/1.eml" &&
	jq -r ".to[]" "$SMTPD_DIR/1.json" >rcpt &&
	printf "ana@example.org\nben@example.net\n" >want && test_cmp want rcpt &&
	test "$(jq -r .from "$SMTPD_DIR/1.json")" = digest@example.org
'

test_expect_success 'the MIME message: headers, encoded subject, both parts' '
	"$SMTPD_PYTHON" mime.py "$SMTPD_DIR/1.eml" >mime &&
	test_grep "^raw-subject: Subject: =?UTF-8?B?[A-Za-z0-9+/=]*?=$" mime &&
	test_grep "^Subject: Wöchentliche Links: civic & health, 2026-11-23$" mime &&
	test_grep "^From: Glean Digest <digest@example.org>$" mime &&
	test_grep "^To: ana@example.org, Ben <ben@example.net>$" mime &&
	test_grep "^Message-ID: <glean\.[0-9a-f]*@example.org>$" mime &&
	test_grep "^Date: Mon, 23 Nov 2026 10:00:00 +0000$" mime &&
	test_grep "^type: multipart/alternative$" mime &&
	test_grep "^part: text/plain utf-8$" mime &&
	test_grep "^part: text/html utf-8$" mime
'

test_expect_success 'the text part: grouped by tag, notes, quotes, a dot-leading line' '
	test_grep "^Wöchentliche Links: civic & health$" part-plain &&
	test_grep "^civic$" part-plain &&
	test_grep "^health$" part-plain &&
	test_grep "^  https://notes.example/2026/11/hotspots$" part-plain &&
	test_grep "^  > \"hotspots you can borrow\"$" part-plain &&
	test_grep "^  .a line that starts with a dot$" part-plain &&
	test_grep "^  Last line & <b>not bold</b>$" part-plain &&
	! grep "javascript:" part-plain
'

test_expect_success 'the HTML part: escaped values, CSP, no hostile link' '
	test_grep "Content-Security-Policy" part-html &&
	test_grep "Last line &amp; &lt;b&gt;not bold&lt;/b&gt;" part-html &&
	test_grep "<a href=\"https://notes.example/2026/11/hotspots\">" part-html &&
	! grep "javascript:" part-html &&
	! grep "<script" part-html
'

test_expect_success 'a second run sends nothing twice' '
	glean share weekly-email >out &&
	test_grep "nothing to share" out &&
	test "$(ls "$SMTPD_DIR"/*.eml | wc -l)" = 1 &&
	glean shares >out &&
	test_grep "sent     weekly-email  4 items, 1/1 part sent" out
'

test_expect_success 'no CR/LF from data reaches the headers' '
	cat >>"$GLEAN_HOME/config" <<-EOC &&
	[target "evil-email"]
	kind = email
	smtp-url = $SMTPD_URL
	starttls = off
	from = digest@example.org
	to = ana@example.org
	subject = Hi\\r\\nBcc: victim@example.com
	EOC
	glean share evil-email >out &&
	"$SMTPD_PYTHON" mime.py "$SMTPD_DIR/2.eml" >mime &&
	! grep -i "^Bcc" "$SMTPD_DIR/2.eml" &&
	test "$(jq -r ".to | length" "$SMTPD_DIR/2.json")" = 1
'

test_expect_success 'STARTTLS is required unless the target turns it off' '
	sed "s/^starttls = off$/starttls = required/" "$GLEAN_HOME/config" >c &&
	mv c "$GLEAN_HOME/config" &&
	GLEAN_NOW=$((GLEAN_NOW + 3600)) && export GLEAN_NOW &&
	glean unmark 1 >/dev/null && glean mark 1 >/dev/null &&
	GLEAN_NOW=$((GLEAN_NOW + 60)) &&
	test_status 1 glean share weekly-email >out 2>err &&
	test_grep "does not offer STARTTLS" err &&
	test "$(ls "$SMTPD_DIR"/*.eml | wc -l)" = 2
'

# A server that reads the first message and drops the connection instead
# of answering. Restarted here, outside a test, so the cleanup stops it.
smtpd_stop
smtpd_start --drop-first || exit 1

test_expect_success 'a reply lost after DATA: unknown, never resent, settled by hand' '
	sed -e "s/^starttls = required$/starttls = off/" \
	    -e "s|^smtp-url = .*|smtp-url = $SMTPD_URL|" "$GLEAN_HOME/config" >c &&
	mv c "$GLEAN_HOME/config" &&
	test_status 1 glean share weekly-email >out 2>err &&
	test_grep "0 sent, 0 already sent, 0 failed, 1 unknown" out &&
	test_grep "lost after the message was sent" err &&
	test_grep "glean shares resolve [0-9]*:1 sent" err &&
	test -f "$SMTPD_DIR/dropped-1.eml" &&
	test_status 1 glean share weekly-email >out 2>err &&
	test_grep "1 unknown" out &&
	test "$(ls "$SMTPD_DIR"/*.eml | wc -l)" = 1 &&
	id=$(store_sql "SELECT max(id) FROM digest") &&
	test_status 2 glean shares --resolve "$id:1" 2>err &&
	test_grep "\-\-resolve wants DIGEST:PART sent|failed" err &&
	test_status 2 glean shares resolve "$id:1" 2>err &&
	test_grep "resolve wants DIGEST:PART sent|failed" err &&
	glean shares resolve "$id:1" sent >out &&
	test_grep "is now sent" out &&
	test_status 2 glean shares --resolve "$id:1" sent 2>err &&
	test_grep "is sent, not unknown; nothing to resolve" err &&
	glean shares >out &&
	test_grep "^$id .* sent .*weekly-email" out &&
	glean share weekly-email >out &&
	test_grep "nothing to share" out
'

test_done
