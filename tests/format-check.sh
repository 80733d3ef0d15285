#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# format-check.sh — list the C files under src/ and tests/ that clang-format (with the
# repository's .clang-format) would change, and the functions in src/ over 100 lines
# (tools/longfuncs.sh); exit 1 when there is any. `make format` fixes the formatting.
cd "$(dirname "$0")/.." || exit 2
cf=${CLANG_FORMAT:-clang-format}
command -v "$cf" >/dev/null 2>&1 || { echo "format-check: $cf not found (apt-get install clang-format)" >&2; exit 2; }
bad=0
for f in $(find src tests -name '*.[ch]' ! -name '*.lskel.h' | LC_ALL=C sort); do
	"$cf" --style=file "$f" | cmp -s - "$f" && continue
	echo "format-check: $f differs from clang-format"
	bad=$((bad + 1))
done
# No function over 100 lines (generated sources would go in SKIP; ALLOW would name a
# long function being split on another branch: none today).
long=0
SKIP="" ALLOW="" sh tools/longfuncs.sh -n 100 src || long=1
# Every source file says its license (GPL-2.0-or-later, LICENSE) in its first lines.
for f in $(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'tests/*.py' 'tests/*.sh' 'tools/*' 'mk/*' 'bench/*.[ch]' 'bench/*.sh' Makefile .ci/run 2>/dev/null); do
	head -3 "$f" | grep -q 'SPDX-License-Identifier: GPL-2.0-or-later' && continue
	case $f in *.lskel.h) head -3 "$f" | grep -q SPDX-License-Identifier && continue ;; esac
	echo "format-check: $f has no SPDX-License-Identifier line"
	bad=$((bad + 1))
done
[ "$bad" = 0 ] && [ "$long" = 0 ] && { echo "format-check: all files formatted, licensed, no function over 100 lines"; exit 0; }
[ "$bad" = 0 ] || echo "format-check: $bad file(s) differ; run 'make format'" >&2
exit 1
