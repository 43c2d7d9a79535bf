#!/usr/bin/env bash
# Makes release X.Y.Z:
#   1. writes X.Y.Z as workspace.package.version in Cargo.toml; every crate of the workspace
#      inherits it (version.workspace = true), and so do the exe, the server's /health and the MSI,
#   2. updates Cargo.lock for the workspace's own packages only (no dependency moves in a release),
#   3. builds the Windows exe and the MSI (scripts/build-msi.sh) and checks the MSI
#      (scripts/check-msi.sh) against X.Y.Z.
# Usage: scripts/release.sh X.Y.Z [--no-build]
#   --no-build stops after step 2 (used by the tests; the build takes minutes).
# It commits nothing: review the diff, commit Cargo.toml and Cargo.lock, and tag the commit.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

usage() {
    echo "usage: $0 X.Y.Z [--no-build]" >&2
    exit 2
}
fail() {
    echo "release: $*" >&2
    exit 1
}

version=""
build=1
for arg in "$@"; do
    case "$arg" in
        --no-build) build=0 ;;
        -*) echo "release: unknown option $arg" >&2 && usage ;;
        *)
            if [[ -n "$version" ]]; then usage; fi
            version="$arg"
            ;;
    esac
done
[[ -n "$version" ]] || usage

# Windows Installer keeps ProductVersion as major.minor.build in 8, 8 and 16 bits and compares
# only those three fields, so nothing else (no pre-release, no fourth field) can be released.
if [[ ! "$version" =~ ^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]]; then
    fail "\"$version\" is not a version X.Y.Z of three plain numbers (no leading zeros, no" \
        "pre-release suffix): the MSI's ProductVersion cannot hold anything else"
fi
major="${BASH_REMATCH[1]}" minor="${BASH_REMATCH[2]}" patch="${BASH_REMATCH[3]}"
if ((${#major} > 3 || major > 255 || ${#minor} > 3 || minor > 255 || ${#patch} > 5 || patch > 65535)); then
    fail "$version is out of range for an MSI ProductVersion: X and Y must be at most 255, Z at" \
        "most 65535"
fi

current="$("$root/scripts/version.sh")"
# sort -V orders X.Y.Z numerically; going back would make an MSI that every PC refuses as a
# downgrade. The same version again is allowed, to finish a release whose build failed.
if [[ "$version" != "$current" && "$(printf '%s\n%s\n' "$current" "$version" | sort -V | tail -n 1)" == "$current" ]]; then
    fail "$version is older than the current version $current; PCs with $current would refuse" \
        "its MSI as a downgrade"
fi

# --- 1. Cargo.toml ------------------------------------------------------------------------------
# Only the `version` line inside [workspace.package]: the dependency tables have version keys too.
updated="$(awk -v v="$version" '
    /^\[/ { section = $0 }
    section == "[workspace.package]" && !done && /^version[ \t]*=/ { print "version = \"" v "\""; done = 1; next }
    { print }
    END { if (!done) exit 3 }
' Cargo.toml)" || fail "no version line under [workspace.package] in Cargo.toml"
printf '%s\n' "$updated" >Cargo.toml

# --- 2. Cargo.lock ------------------------------------------------------------------------------
# --workspace rewrites only the workspace members' entries; every dependency keeps its locked version.
cargo update --workspace --quiet

# The workspace's own packages are the lock entries without a `source` (path packages). Each must now
# carry the new version; one that does not has its own version in its Cargo.toml and must be made to
# inherit it (version.workspace = true), or the exe and the server would report different versions.
stale="$(awk -v v="$version" '
    /^\[\[package\]\]/ { if (name != "" && source == "" && ver != v) print name " " ver; name = ""; ver = ""; source = ""; next }
    /^name = / { name = $3; gsub(/"/, "", name) }
    /^version = / { ver = $3; gsub(/"/, "", ver) }
    /^source = / { source = $3 }
    END { if (name != "" && source == "" && ver != v) print name " " ver }
' Cargo.lock)"
if [[ -n "$stale" ]]; then
    fail "these workspace packages in Cargo.lock are not at $version (give their Cargo.toml" \
        "version.workspace = true):"$'\n'"$stale"
fi
after="$("$root/scripts/version.sh")"
[[ "$after" == "$version" ]] || fail "scripts/version.sh reports $after after the update, not $version"
echo "release: Cargo.toml and Cargo.lock now say $version (was $current)" >&2

if ((!build)); then
    exit 0
fi

# --- 3. The exe and the MSI -----------------------------------------------------------------------
msi="$("$root/scripts/build-msi.sh" | tail -n 1)"
RAINSTAFF_EXPECT_VERSION="$version" "$root/scripts/check-msi.sh" "$msi" >&2
echo "release: built $msi; commit Cargo.toml and Cargo.lock, then tag v$version" >&2
echo "$msi"
