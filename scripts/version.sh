#!/usr/bin/env bash
# Prints the version of the `rainstaff` package (it inherits workspace.package.version), the one
# compiled into the exe and written into the MSI. Used by build-msi.sh and check-msi.sh so that
# both read the version the same way.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Ask cargo rather than grepping Cargo.toml: it resolves `version.workspace = true` for us.
# pkgid prints e.g. "path+file:///work/main#rainstaff@0.1.0", or "…/rainstaff#0.1.0" when the
# checkout folder is itself named rainstaff; the version is what follows the last '#' or '@'.
pkgid="$(cargo pkgid --quiet --manifest-path "$root/Cargo.toml" -p rainstaff)"
version="${pkgid##*[#@]}"

if [[ -z "$version" || "$version" == "$pkgid" ]]; then
    echo "error: cannot read the version from cargo pkgid output: $pkgid" >&2
    exit 1
fi
echo "$version"
