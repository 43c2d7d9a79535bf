#!/usr/bin/env bash
# Checks a built Rainstaff MSI with msiinfo (msitools):
#   - UpgradeCode is the fixed one written in wix/main.wxs (a changed UpgradeCode breaks upgrades),
#   - ProductVersion is the version in Cargo.toml,
#   - ALLUSERS is 1 (per-machine install),
#   - rainstaff.exe is in the File table, and the Start-menu shortcut points at it,
#   - downgrades are blocked, the package is x64, and Add/Remove Programs has the icon,
#   - the user guide help.html is installed and Add/Remove Programs' help link points at it,
#   - InstallLocation is written to the Uninstall key,
#   - Windows older than 10 / Server 2016 is refused (a launch condition on the registry).
# Usage: scripts/check-msi.sh path/to/rainstaff-X.Y.Z-x64.msi
# The expected version comes from scripts/version.sh unless RAINSTAFF_EXPECT_VERSION is set (the
# Rust test sets it, so that no cargo runs inside `cargo test`).
# Prints one line per check and exits 1 if any fails, naming what was expected and what was found.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if (($# != 1)); then
    echo "usage: $0 MSI" >&2
    exit 2
fi
msi="$1"
if [[ ! -f "$msi" ]]; then
    echo "check-msi: $msi: no such file" >&2
    exit 2
fi
if ! command -v msiinfo >/dev/null; then
    echo "check-msi: msiinfo is missing; install it with: sudo apt-get install msitools" >&2
    exit 2
fi
if ! msiinfo tables "$msi" >/dev/null 2>&1; then
    echo "check-msi: $msi is not a readable MSI database" >&2
    exit 1
fi

# The fixed UpgradeCode, read from the wxs so that there is exactly one place it is written down.
upgrade_code="$(sed -n 's/.*UpgradeCode="\([0-9A-Fa-f-]\{36\}\)".*/\1/p' "$root/wix/main.wxs")"
if [[ -z "$upgrade_code" ]]; then
    echo "check-msi: cannot find UpgradeCode=\"GUID\" in wix/main.wxs" >&2
    exit 2
fi
version="${RAINSTAFF_EXPECT_VERSION:-$("$root/scripts/version.sh")}"

# `msiinfo export MSI TABLE` prints three header lines (column names, types, key), then one
# tab-separated row per line, with CRLF line ends (the .idt format). Strip the headers and the CRs;
# a failed export must not pass as an empty table.
table() {
    local rows
    if ! rows="$(msiinfo export "$msi" "$1" 2>/dev/null)"; then
        echo "check-msi: msiinfo cannot read table $1 from $msi" >&2
        exit 1
    fi
    tail -n +4 <<<"$rows" | tr -d '\r'
}
property() { table Property | awk -F'\t' -v p="$1" '$1 == p { print $2 }'; }

failures=0
check() { # check NAME EXPECTED ACTUAL
    if [[ "$2" == "$3" ]]; then
        echo "ok   $1: $3"
    else
        echo "FAIL $1: expected \"$2\", found \"${3:-<nothing>}\""
        failures=$((failures + 1))
    fi
}

upper() { tr '[:lower:]' '[:upper:]'; }

check "UpgradeCode (fixed, from wix/main.wxs)" \
    "{$(upper <<<"$upgrade_code")}" "$(property UpgradeCode | upper)"
check "ProductVersion (Cargo.toml)" "$version" "$(property ProductVersion)"
check "ALLUSERS (per-machine)" "1" "$(property ALLUSERS)"

# FileName may be "SHORT~1.EXE|long-name.exe"; compare the long name.
exe_rows="$(table File | awk -F'\t' '{ n = $3; sub(/.*\|/, "", n); if (tolower(n) == "rainstaff.exe") print $1 }')"
check "File table has rainstaff.exe" "1" "$(grep -c . <<<"$exe_rows" || true)"

shortcut="$(table Shortcut | awk -F'\t' '$2 == "ProgramMenuFolder" { print $5 }')"
check "Start-menu shortcut target" "[INSTALLDIR]rainstaff.exe" "$shortcut"

downgrade="$(table LaunchCondition | awk -F'\t' '$1 == "NOT WIX_DOWNGRADE_DETECTED" { print "blocked" }')"
check "Downgrade (MajorUpgrade LaunchCondition)" "blocked" "$downgrade"

template="$(msiinfo suminfo "$msi" | sed -n 's/^Template: //p')"
check "Summary Template (64-bit)" "x64;1033" "$template"

icon="$(property ARPPRODUCTICON)"
icon_found="$(table Icon | awk -F'\t' -v i="$icon" '$1 == i && i != "" { print "present" }')"
check "Add/Remove Programs icon (ARPPRODUCTICON=${icon:-unset} in Icon table)" "present" "$icon_found"

help_rows="$(table File | awk -F'\t' '{ n = $3; sub(/.*\|/, "", n); if (tolower(n) == "help.html") print $1 }')"
check "File table has help.html" "1" "$(grep -c . <<<"$help_rows" || true)"

# Windows 10 / Server 2016 or later. The launch condition tests a property that AppSearch sets
# from the 64-bit registry value CurrentMajorVersionNumber (see wix/main.wxs for why not
# VersionNT): the RegLocator row must read that value (Type 18 = raw 2 + 64-bit view 16).
os_condition="$(table LaunchCondition | awk -F'\t' '$1 ~ /^Installed OR / { sub(/^Installed OR /, "", $1); print $1 }')"
os_locator="$(table AppSearch | awk -F'\t' -v p="$os_condition" '$1 == p && p != "" { print $2 }')"
os_search="$(table RegLocator | awk -F'\t' -v s="$os_locator" '$1 == s && s != "" { print $2 " " $3 " " $4 " " $5 }')"
check "Windows 10 / Server 2016 launch condition (Installed OR ${os_condition:-?}, from the registry)" \
    '2 SOFTWARE\Microsoft\Windows NT\CurrentVersion CurrentMajorVersionNumber 18' "$os_search"
os_message="$(table LaunchCondition | awk -F'\t' -v c="Installed OR $os_condition" '$1 == c { print $2 }')"
check "Windows 10 launch condition's message" \
    "[ProductName] needs Windows 10, Windows Server 2016 or later." "$os_message"

# ARP properties that hold a path are set by type-51 custom actions (low six bits of Type) that
# run after CostFinalize, when INSTALLDIR is known, and before RegisterProduct writes the entry:
# ARPHELPLINK = [INSTALLDIR]help.html, ARPINSTALLLOCATION = [INSTALLDIR].
sequence() { table InstallExecuteSequence | awk -F'\t' -v a="$1" '$1 == a { print $3 }'; }
cost_seq="$(sequence CostFinalize)"
register_seq="$(sequence RegisterProduct)"
check_path_property() { # check_path_property LABEL PROPERTY VALUE
    local action action_seq order="wrong"
    action="$(table CustomAction | awk -F'\t' -v p="$2" '$3 == p && $2 % 64 == 51 { print $1 "\t" $4 }')"
    check "$1 (custom action setting $2)" "$3" "$(cut -f2 <<<"$action")"
    action_seq="$(sequence "$(cut -f1 <<<"$action")")"
    if [[ -n "$action_seq" && -n "$cost_seq" && -n "$register_seq" ]] &&
        ((cost_seq < action_seq && action_seq < register_seq)); then
        order="after CostFinalize, before RegisterProduct"
    fi
    check "$1's place in InstallExecuteSequence (CostFinalize=${cost_seq:-?}, $2=${action_seq:-?}, RegisterProduct=${register_seq:-?})" \
        "after CostFinalize, before RegisterProduct" "$order"
}
check_path_property "Help link" ARPHELPLINK "[INSTALLDIR]help.html"
check_path_property "InstallLocation" ARPINSTALLLOCATION "[INSTALLDIR]"

if ((failures)); then
    echo "check-msi: $failures check(s) failed for $msi" >&2
    exit 1
fi
echo "check-msi: all checks passed for $msi"
