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

# hdrs.py FILE: the headers as a reader sees them (decoded by python's
# email package) and every raw header line that breaks RFC 2047 / 5322:
# over 76 characters, or a byte that is not ASCII.
cat >hdrs.py <<'EOP'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
head = raw.split(b"\r\n\r\n", 1)[0]
for line in head.split(b"\r\n"):
    if len(line) > 76:
        print("long(%d): %r" % (len(line), line))
    if any(b > 126 for b in line):
        print("8bit: %r" % line)
m = email.message_from_bytes(raw, policy=email.policy.default)
print("from-name:", m["From"].addresses[0].display_name)
print("from-addr:", m["From"].addresses[0].addr_spec)
for a in m["To"].addresses:
    print("to: [%s] %s" % (a.display_name, a.addr_spec))
print("subject:", m["Subject"])
# RFC 2047 §6.2 as written (python's address parser keeps the white
# space between encoded words): the legacy decoder, on the unfolded To
import email.header
rawto = [l for l in head.decode("ascii").replace("\r\n ", " ").split("\r\n") if l.startswith("To:")][0]
print("to-2047:", str(email.header.make_header(email.header.decode_header(rawto[3:]))))
print("first-line:", len(head.split(b"\r\n")[[l.startswith(b"Subject:") for l in head.split(b"\r\n")].index(True)]))
EOP

test_expect_success 'display names: RFC 2047, quoted commas, lines of at most 76' '
	cat >>"$GLEAN_HOME/config" <<-EOC &&
	[target "names-email"]
	kind = email
	smtp-url = $SMTPD_URL
	starttls = off
	from = Jürgen Müller-Lüdenscheidt vom Wöchentlichen Überblick <digest@example.org>
	to = "Smith, John" <john@example.org>, ana@example.org
	to = 山田太郎 <taro@example.jp>
	to = "Doe \\"JD\\", Jane" <jane@example.net>
	to = Ελληνική Εβδομαδιαία Επισκόπηση Ειδήσεων και Πολιτισμού <gr@example.gr>
	title = Wöchentliche Links: civic & health — eine sehr lange Überschrift für alle
	EOC
	glean share names-email >out &&
	test "$(jq -r ".to | join(\" \")" "$SMTPD_DIR/3.json")" = \
		"john@example.org ana@example.org taro@example.jp jane@example.net gr@example.gr" &&
	"$SMTPD_PYTHON" hdrs.py "$SMTPD_DIR/3.eml" >hdrs &&
	! grep "^long" hdrs &&
	! grep "^8bit" hdrs &&
	test_grep "^from-name: Jürgen Müller-Lüdenscheidt vom Wöchentlichen Überblick$" hdrs &&
	test_grep "^from-addr: digest@example.org$" hdrs &&
	test_grep "^to: \[Smith, John\] john@example.org$" hdrs &&
	test_grep "^to: \[\] ana@example.org$" hdrs &&
	test_grep "^to: \[山田太郎\] taro@example.jp$" hdrs &&
	test_grep "^to: \[Doe \"JD\", Jane\] jane@example.net$" hdrs &&
	test_grep "^to-2047: .*, Ελληνική Εβδομαδιαία Επισκόπηση Ειδήσεων και Πολιτισμού <gr@example.gr>$" hdrs &&
	test "$(grep -c "^ =?UTF-8?B?" "$SMTPD_DIR/3.eml")" -ge 3 &&
	test_grep "^subject: Wöchentliche Links: civic & health — eine sehr lange Überschrift für alle, 2026-11-23$" hdrs
'

test_expect_success 'STARTTLS is required unless the target turns it off' '
	sed "s/^starttls = off$/starttls = required/" "$GLEAN_HOME/config" >c &&
	mv c "$GLEAN_HOME/config" &&
	GLEAN_NOW=$((GLEAN_NOW + 3600)) && export GLEAN_NOW &&
	glean unmark 1 >/dev/null && glean mark 1 >/dev/null &&
	GLEAN_NOW=$((GLEAN_NOW + 60)) &&
	test_status 1 glean share weekly-email >out 2>err &&
	test_grep "does not offer STARTTLS" err &&
	test "$(ls "$SMTPD_DIR"/*.eml | wc -l)" = 3
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

# A server that takes the connection and never says a word: [general]
# timeout bounds the SMTP transfer as it does every other.
cat >mute.py <<'EOP'
import socket, sys, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1], "w").write("%d\n" % s.getsockname()[1])
conns = []
while True:
    conns.append(s.accept()[0])
EOP
python3 mute.py mute.port &
MUTE_PID=$!
test_on_exit 'kill $MUTE_PID 2>/dev/null'

test_expect_success 'a mute SMTP server is given up after [general] timeout' '
	i=0 && while [ ! -s mute.port ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1)); done &&
	cat >"$GLEAN_HOME/config" <<-EOC &&
	[general]
	timeout = 2s
	[target "mute-email"]
	kind = email
	smtp-url = smtp://127.0.0.1:$(cat mute.port)
	starttls = off
	from = digest@example.org
	to = ana@example.org
	EOC
	start=$(date +%s) &&
	test_status 1 glean share mute-email >out 2>err &&
	test $(($(date +%s) - start)) -lt 10 &&
	test_grep "email: the mail server did not answer in time" err
'

test_done
