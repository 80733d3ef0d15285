#!/bin/sh
# format-check.sh — list the C files under src/ and tests/ that clang-format (with the
# repository's .clang-format) would change; exit 1 when there is any. `make format` fixes them.
cd "$(dirname "$0")/.." || exit 2
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 || { echo "format-check: $cf not found (apt-get install clang-format)" >&2; exit 2; }
bad=0
for f in $(find src tests -name '*.[ch]' ! -name '*.lskel.h' | LC_ALL=C sort); do
	"$cf" --style=file "$f" | cmp -s - "$f" && continue
	echo "format-check: $f differs from clang-format"
	bad=$((bad + 1))
done
[ "$bad" = 0 ] && { echo "format-check: all files formatted"; exit 0; }
echo "format-check: $bad file(s) differ; run 'make format'" >&2
exit 1
