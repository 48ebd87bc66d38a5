#!/bin/sh
# fuzz/seeds.sh DIR: fill DIR with the seed corpus, built at run time
# from tests/data, fuzz/regress (inputs that once crashed) and, when it
# exists, ../shared/corpus (read there, never copied into the repo).
# Files over 256 KiB are left out; names are content hashes, so
# duplicates collapse.
cd "$(dirname "$0")/.." || exit 2
dir=${1:?usage: fuzz/seeds.sh DIR}
mkdir -p "$dir" || exit 2
for src in tests/data fuzz/regress ../shared/corpus; do
	[ -d "$src" ] || continue
	find "$src" -type f -size -257k ! -name '*.meta.json' -print
done | while IFS= read -r f; do
	h=$(cksum <"$f" | tr ' ' '-')
	cp "$f" "$dir/seed-$h" 2>/dev/null
done
ls "$dir" | wc -l
