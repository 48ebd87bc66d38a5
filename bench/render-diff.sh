#!/bin/sh
# bench/render-diff.sh: the renderer's tree builder (src/parse/htree.c)
# against libxml2's HTML parser, which built the renderer's tree before.
# Collects every HTML field (entry and feed titles, summaries, contents)
# that `glean parse --json` finds in the feeds under DIR... (default
# tests/data) and every .html file there, adds MUTANTS mutated copies and
# token soups (fixed seed: truncations, dropped '<' and '>', inserted
# tags, references, comments, PIs, DOCTYPEs), and runs
# bench/render_diff.c over them: the trees must be identical, and it
# prints the CPU time of both tree builders and of render_html().
#   bench/render-diff.sh [DIR...]
# Environment: MUTANTS (default 2500), SEED (default 13), REPS (timing
# repetitions, default 5), BENCH_DIR (default build/bench).
cd "$(dirname "$0")/.." || exit 2
MUTANTS=${MUTANTS:-2500}
SEED=${SEED:-13}
REPS=${REPS:-5}
BENCH_DIR=${BENCH_DIR:-build/bench}
CC=${CC:-cc}
PKGS="libxml-2.0 libcurl sqlite3 libpcre2-8 libcrypto ncursesw uchardet libzstd"
[ $# -gt 0 ] || set -- tests/data
mkdir -p "$BENCH_DIR" || exit 2
[ -x ./glean ] && [ -f build/libglean.a ] || { echo "render-diff: run make first" >&2; exit 2; }

python3 - "$BENCH_DIR/render-fields.bin" "$MUTANTS" "$SEED" "$@" <<'PY' || exit 1
import json, os, random, struct, subprocess, sys
out, mutants, seed, roots = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
fields, seen = [], set()
def add(s):
    if isinstance(s, str) and s and s not in seen:
        seen.add(s); fields.append(s.encode('utf-8', 'surrogatepass'))
def walk(o):
    if isinstance(o, dict):
        for k, v in o.items():
            if k in ('value', 'summary', 'title', 'subtitle', 'content',
                     'description', 'rights', 'info'):
                add(v)
            walk(v)
    elif isinstance(o, list):
        for v in o:
            walk(v)
for root in roots:
    for d, _, fs in sorted(os.walk(root)):
        for f in sorted(fs):
            p = os.path.join(d, f)
            if f.endswith(('.xml', '.json', '.rss', '.atom', '.rdf')):
                r = subprocess.run(['./glean', 'parse', '--json', p],
                                   capture_output=True, timeout=60)
                try:
                    walk(json.loads(r.stdout))
                except ValueError:
                    pass
            elif f.endswith('.html'):
                add(open(p, 'rb').read().decode('utf-8', 'replace'))
toks = r"""</p> <li> <p> </div> <div> <b> </b> <i> </i> <table> <td> </td> <tr>
</tr> </table> &amp &amp; &#0; &#x41; &#65 &nbsp; &nbsp &apos; &foo; &#xFFFFFF;
<!-- --> --!> <?x?> <?_x> <? <!DOCTYPE&#32;html> <script> </script> <style>
</style> <o:p> </o:p> </body> <body> <html> </html> <head> </head> <title>
</title> <br/> <br> <div/> <p/> <ol&#32;start=3> <ol> </ol> <li&#32;value=7>
</li> <ul> </ul> < & </a> <img&#32;alt=x> <img> <noscript> <select> <option>
<dd> <dt> <dl> </dl> <th> <h1> </h1> <pre> </pre> <textarea> <svg> <math>
<center> <font> <form> <span> </span> <blockquote> <hr> </iframe> <caption>
<thead> <tbody> <col> <embed> <a:b> </a:b> </&#32;x> </3> <3 <![CDATA[x]]>
<!foo> text word \u00e9 \u00ad \u00a0 \u65e5 <LI> <P> </P> <xmp> <listing>
<menu> <dir> <tt> <u> <small> <em> <strong> <code> <fieldset> <legend>
<input&#32;checked> <a&#32;href=x/> <a&#32;href='x>y'>""".split()
toks = [t.replace('&#32;', ' ').encode().decode('unicode_escape').encode()
        for t in toks] + [b' ', b'\n', b'\t']
rnd = random.Random(seed)
base = [f for f in fields if len(f) < 30000] or [b'<p>x</p>']
for k in range(mutants):
    if rnd.random() < 0.45:
        fields.append(b''.join(rnd.choice(toks)
                               for _ in range(rnd.randint(1, 40))))
        continue
    d = bytearray(rnd.choice(base))
    for _ in range(rnd.randint(1, 6)):
        m, pos = rnd.random(), rnd.randint(0, len(d))
        if m < 0.3:
            d = d[:pos]
        elif m < 0.6:
            d[pos:pos] = rnd.choice(toks)
        else:
            j = d.find(b'>' if m < 0.8 else b'<', pos)
            if j >= 0:
                del d[j]
    fields.append(bytes(d))
fields += [b'<div>' * 300 + b'deep' + b'</div>' * 300 + b'after',
           b'<ol>' + b'<li>x' * 120 + b'</ol>']
with open(out, 'wb') as w:
    for f in fields:
        w.write(struct.pack('<Q', len(f)))
        w.write(f)
print('render-diff: %d fields' % len(fields))
PY

cflags=$(pkg-config --cflags $PKGS)
libs=$(pkg-config --libs $PKGS)
$CC -std=c17 -O2 -g -D_DEFAULT_SOURCE -Iinclude -Isrc/parse $cflags \
	-o "$BENCH_DIR/render_diff" bench/render_diff.c build/libglean.a \
	-pthread $libs || exit 1
"$BENCH_DIR/render_diff" "$BENCH_DIR/render-fields.bin" "$REPS"
