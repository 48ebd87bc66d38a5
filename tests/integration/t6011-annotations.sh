#!/bin/sh
# glean export --annotations / glean import --annotations (issue 19):
# every annotation passes the W3C's assertions (annotationMusts.test,
# tests/data/annotation, checked by tests/lib/annocheck.py with
# python3-jsonschema); a round trip into a fresh store gives the same
# notes and quotes; importing twice adds nothing twice; links glean has
# no item for are reported; other tools' shapes are read.
. "$(dirname "$0")/../lib/lib.sh"
GLEAN_NOW=1795428000
export GLEAN_NOW
demo="$TEST_ROOT/tests/data/demo"
CHECK="python3 $TEST_ROOT/tests/lib/annocheck.py $TEST_ROOT/tests/data/annotation"
MUSTS=$(jq ".assertions | length" "$TEST_ROOT/tests/data/annotation/annotationMusts.test")

id_of() { store_sql "SELECT id FROM item WHERE title LIKE '%$1%'"; }
# every note as "link|body|quote|prefix|suffix|created|updated", sorted
notes_of() {
	sqlite3 -batch -noheader "$1/glean.db" "SELECT i.url, n.body,
		coalesce(n.quote, '-'), coalesce(n.prefix, '-'),
		coalesce(n.suffix, '-'), n.created, n.updated
		FROM note n JOIN item i ON i.id = n.item_id" | sort
}

# what another tool (Hypothesis-like) writes: a selector array with a
# position and a quote, a bodyValue, types as arrays, an offset time
cat >other.json <<'EOF'
[{"@context": ["http://www.w3.org/ns/anno.jsonld"], "type": ["Annotation"],
  "id": "https://other.example/anno/1",
  "created": "2026-11-20T10:00:00.250+02:00",
  "bodyValue": "from another tool",
  "target": [{"source": "https://civic.example/2026/11/library-hotspots",
	      "selector": [{"type": "TextPositionSelector", "start": 1, "end": 4},
			   {"type": "TextQuoteSelector", "exact": "1,200 Wi-Fi hotspots",
			    "prefix": "Riverside's libraries lent ",
			    "suffix": " this year."}]}]},
 {"type": "Annotation", "id": "https://other.example/anno/2",
  "body": {"type": "TextualBody", "value": "ageing", "purpose": "tagging"},
  "target": "https://civic.example/2026/11/library-hotspots"},
 {"type": "Annotation", "id": "https://other.example/anno/3",
  "body": {"value": "nowhere"}, "target": "https://nowhere.example/x"},
 {"type": "Highlight", "target": "https://civic.example/"}]
EOF

test_expect_success 'setup: demo feeds, notes, quotes, tags' '
	glean add "file://$demo/civic-rss.xml" --tag civic >/dev/null &&
	glean add "file://$demo/research.json" >/dev/null &&
	glean fetch >/dev/null &&
	glean note "$(id_of hotspots)" --quote "Sign-ups for library cards doubled" \
		"evidence for the \"digital divide\" page" >/dev/null &&
	glean note "$(id_of hotspots)" "ask about rural branches" >/dev/null &&
	glean note "$(id_of Participatory)" --quote "meta-analysis" >/dev/null &&
	glean tag "$(id_of Participatory)" +"digital inclusion" >/dev/null &&
	test "$(store_sql "SELECT count(*) FROM note")" = 3
'

test_expect_success 'another tool'\''s annotations are read; unknown links reported' '
	glean import --annotations other.json >out 2>err &&
	test_grep "^annotations: 4 read, 1 note added, 0 already here, 1 tag added, 1 for items not in glean, 1 skipped$" out &&
	test_grep "no item with the link https://nowhere.example/x" err &&
	test_grep "is not an Annotation" err &&
	id=$(id_of hotspots) &&
	test "$(store_sql "SELECT body, quote, prefix, suffix, created FROM note WHERE item_id = $id AND body LIKE '\''from another%'\''")" = \
		"from another tool|1,200 Wi-Fi hotspots|Riverside'\''s libraries lent | this year.|$(date -u -d 2026-11-20T08:00:00Z +%s)" &&
	glean show $id --json | jq -e ".tags | index(\"ageing\")" >/dev/null
'

test_expect_success 'export: a collection, each note an annotation, all assertions pass' '
	glean export --annotations a.jsonld 2>err &&
	test_grep "^annotations: 4 written to a.jsonld$" err &&
	jq -e ".type == \"AnnotationCollection\" and .total == 4 and
		(.first.items | length) == 4 and .first.type == \"AnnotationPage\"" a.jsonld >/dev/null &&
	$CHECK a.jsonld >check.out &&
	test_grep "^4 annotations, $((4 * MUSTS)) assertions passed, 0 failed; 9 collection checks, 0 failed$" check.out
'

test_expect_success 'quotes are TextQuoteSelectors, notes and tags TextualBodies' '
	jq -e "[.first.items[] | select((.target | type) == \"object\" and .target.selector.exact == \"1,200 Wi-Fi hotspots\")][0] |
		.target.type == \"SpecificResource\" and
		.target.source == \"https://civic.example/2026/11/library-hotspots\" and
		.target.selector.type == \"TextQuoteSelector\" and
		.target.selector.prefix == \"Riverside'\''s libraries lent \" and
		.target.selector.suffix == \" this year.\" and
		(.body[] | select(.purpose == \"commenting\") | .value == \"from another tool\" and .format == \"text/plain\") and
		([.body[] | select(.purpose == \"tagging\") | .value] | sort == [\"ageing\", \"civic\"]) and
		.created == \"2026-11-20T08:00:00Z\" and .generator.type == \"Software\" and
		.creator.type == \"Person\" and .motivation == \"commenting\"" a.jsonld >/dev/null &&
	jq -e "[.first.items[] | select((.target | type) == \"object\" and .target.selector.exact == \"meta-analysis\")][0] |
		.motivation == \"highlighting\" and (.body | length) == 1 and
		.body[0].value == \"digital inclusion\"" a.jsonld >/dev/null &&
	jq -e "[.first.items[] | select(.target | type == \"string\")] | length == 1" a.jsonld >/dev/null
'

test_expect_success 'ids are stable across exports, --creator names the person' '
	glean export --annotations --creator "Ana O." >b.jsonld 2>/dev/null &&
	test "$(jq -c "[.id, .first.items[].id]" a.jsonld)" = "$(jq -c "[.id, .first.items[].id]" b.jsonld)" &&
	jq -e "all(.first.items[]; .creator.name == \"Ana O.\")" b.jsonld >/dev/null &&
	$CHECK b.jsonld >/dev/null
'

test_expect_success 'importing the same file twice adds nothing twice' '
	glean import --annotations a.jsonld >out &&
	test_grep "^annotations: 4 read, 0 notes added, 4 already here$" out &&
	glean export --annotations - 2>/dev/null | glean import --annotations - >out &&
	test_grep "0 notes added, 4 already here" out &&
	test "$(store_sql "SELECT count(*) FROM note")" = 4
'

test_expect_success 'round trip: a fresh store gets the same notes and quotes' '
	notes_of "$GLEAN_HOME" >before &&
	test "$(wc -l <before)" = 4 &&
	(
		GLEAN_HOME="$TRASH/fresh" && export GLEAN_HOME &&
		mkdir -p "$GLEAN_HOME" &&
		glean add "file://$demo/research.json" >/dev/null &&
		glean add "file://$demo/civic-rss.xml" >/dev/null &&
		glean fetch >/dev/null &&
		glean import --annotations a.jsonld >out &&
		test_grep "^annotations: 4 read, 4 notes added, 0 already here" out
	) &&
	notes_of "$TRASH/fresh" >after &&
	test_cmp before after
'

test_expect_success 'bad input: not JSON, not annotations, no file, no links' '
	echo "{" >bad.json &&
	test_status 1 glean import --annotations bad.json 2>err &&
	test_grep "glean: " err &&
	echo "{\"type\": \"Feed\"}" >bad.json &&
	test_status 1 glean import --annotations bad.json 2>err &&
	test_grep "not Web Annotations" err &&
	test_status 1 glean import --annotations missing.json 2>err &&
	test_grep "cannot open .missing.json." err &&
	test_status 2 glean import --annotations 2>err &&
	test "$(store_sql "SELECT count(*) FROM note")" = 4 &&
	(
		GLEAN_HOME="$TRASH/empty" && export GLEAN_HOME && mkdir -p "$GLEAN_HOME" &&
		glean export --annotations e.jsonld 2>/dev/null &&
		jq -e ".total == 0 and (has(\"first\") | not)" e.jsonld >/dev/null &&
		$CHECK e.jsonld >out &&
		test_grep "^0 annotations" out
	)
'

test_done
