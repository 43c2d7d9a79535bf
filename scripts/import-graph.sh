#!/usr/bin/env bash
# The import graph of the desktop's src/: which top-level module uses which (`crate::x`), one
# line per module, lowest layers first. Fails when the graph has a cycle, when the files of ui/,
# report/ or db/ import each other in a cycle, or when code outside src/db reaches the store's
# connection (`test_connection`, for tests and benchmarks only).
# README's "How it is built" shows its output; run it after moving code between modules.
set -euo pipefail
cd "$(dirname "$0")/../src"

edges() {
    for file in $(find . -name '*.rs' | sort); do
        local from=${file#./}
        from=${from%%/*}
        from=${from%.rs}
        # Comment lines name modules without using them.
        { grep -v '^\s*//' "$file" | grep -o 'crate::[a-z0-9_]*' || true; } | sed 's/crate:://' | sort -u |
            while read -r to; do
                if [ "$to" != "$from" ]; then echo "$from $to"; fi
            done
    done | sort -u
}

# The files of one folder that a file there uses (`super::x`, `crate::folder::x`). A subfolder
# counts as one file: what its files use is what it uses, checked inside by its own call.
folder_edges() {
    for file in "$1"/*.rs "$1"/*/*.rs; do
        [ -f "$file" ] || continue
        local from=${file#"$1"/}
        from=${from%%/*}
        from=${from%.rs}
        # A sibling is `super::x` (`self::x` from the folder's mod.rs); inside a subfolder these
        # name the subfolder's own files, so only full paths reach the folder.
        local sibling=super
        if [ "$from" = mod ]; then sibling=self; fi
        if [ "${file#"$1"/*/}" != "$file" ]; then sibling=nothing; fi
        { grep -v '^\s*//' "$file" | grep -oE "($sibling|crate::${1//\//::})::[A-Za-z0-9_]+" || true; } |
            sed -E 's/.*:://; s/^[A-Z].*/mod/' | sort -u |
            while read -r to; do
                if { [ -f "$1/$to.rs" ] || [ -d "$1/$to" ]; } && [ "$to" != "$from" ]; then echo "$from $to"; fi
            done
    done | sort -u
}

# tsort lists a module after the modules it uses once the pairs are reversed; it names any loop.
layered() {
    local loops
    loops=$(mktemp)
    awk '{ print $2, $1 }' | tsort 2>"$loops" || true
    if [ -s "$loops" ]; then
        cat "$loops" >&2
        rm -f "$loops"
        echo "import-graph: the modules above import each other ($1)" >&2
        exit 1
    fi
    rm -f "$loops"
}

for folder in ui ui/record report db; do
    folder_edges "$folder" | layered "$folder/" >/dev/null
done
all=$(edges)
order=$(echo "$all" | layered src/)
for module in $order; do
    uses=$(echo "$all" | awk -v m="$module" '$1 == m { printf "%s ", $2 }')
    if [ -n "$uses" ]; then printf '%-14s -> %s\n' "$module" "$uses"; else printf '%s\n' "$module"; fi
done | awk '!seen[$1]++'

if grep -rn 'test_connection' --include='*.rs' . | grep -v '^\./db[/.]'; then
    echo "import-graph: only src/db may use the store's connection" >&2
    exit 1
fi
