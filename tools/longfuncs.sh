#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# longfuncs.sh — list the C functions longer than N lines (default 100) under the given
# directories (default src), skipping the files named in SKIP (space-separated paths, e.g.
# generated code) and the functions named in ALLOW ("path:function ...", known ones
# awaiting a split elsewhere: reported, not counted); exit 1 when there is any other. A function is counted from the line that
# opens its body ("{" in column 0 after a definition) to the "}" in column 0 closing it,
# as clang-format lays functions out.
#   tools/longfuncs.sh [-n N] [DIR...]
n=100
if [ "$1" = "-n" ]; then n=$2; shift 2; fi
[ $# -gt 0 ] || set -- src
skip=" ${SKIP:-} "
allow=" ${ALLOW:-} "
bad=0
for f in $(find "$@" -name '*.c' | LC_ALL=C sort); do
	case "$skip" in *" $f "*) continue ;; esac
	out=$(awk -v max="$n" -v file="$f" '
		# the name of the function whose definition ends on this line: the last
		# identifier before "(" on the lines since the previous top-level item
		/^[A-Za-z_]/ { head = $0; hl = NR }
		/^\{/ { start = NR; name = head; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name); next }
		/^\}/ && start {
			len = NR - start - 1
			if (len > max)
				printf "%s:%d: %s is %d lines (over %d)\n", file, hl, name, len, max
			start = 0
		}' "$f")
	[ -n "$out" ] || continue
	while IFS= read -r line; do
		fn=${line#*: }
		fn=${fn%% is *}
		case "$allow" in
		*" $f:$fn "*) echo "$line (allowed for now)" ;;
		*) echo "$line"; bad=$((bad + 1)) ;;
		esac
	done <<-END
	$out
	END
done
[ "$bad" = 0 ] && exit 0
echo "longfuncs: $bad function(s) over $n lines" >&2
exit 1
