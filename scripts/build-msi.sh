#!/usr/bin/env bash
# Builds the Windows installer on Linux:
#   1. cross-compiles rainstaff.exe (release, x86_64-pc-windows-gnu, with Debian's mingw-w64 gcc),
#   2. packs it with msitools' wixl from wix/main.wxs,
#   3. prints the MSI's path as the last line on stdout (everything else goes to stderr), so
#      `msi="$(scripts/build-msi.sh)"` works.
# Output: <cargo target dir>/wix/rainstaff-<version>-x64.msi
#
# It installs nothing itself: a build script that quietly runs apt-get or rustup would change the
# machine behind the caller's back. Instead it lists what is missing and how to install it.
#
# A cold release cross build takes about 7-10 minutes on 2 cores.
set -euo pipefail

readonly TARGET=x86_64-pc-windows-gnu
readonly MINGW_GCC=x86_64-w64-mingw32-gcc

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

log() { echo "build-msi: $*" >&2; }

# --- Prerequisites: collect everything missing, then report it all at once. ----------------------
missing=()
if ! command -v cargo >/dev/null; then
    missing+=("cargo (Rust toolchain): see https://rustup.rs")
else
    # Look in the sysroot rather than asking rustup: this also works for toolchains without rustup.
    sysroot="$(rustc --print sysroot)"
    if [[ ! -d "$sysroot/lib/rustlib/$TARGET" ]]; then
        missing+=("the Rust standard library for $TARGET: rustup target add $TARGET")
    fi
fi
if ! command -v "$MINGW_GCC" >/dev/null; then
    missing+=("the mingw-w64 linker $MINGW_GCC: sudo apt-get install gcc-mingw-w64-x86-64")
fi
if ! command -v wixl >/dev/null; then
    missing+=("wixl (msitools' MSI builder): sudo apt-get install wixl")
fi
if ((${#missing[@]})); then
    echo "build-msi: cannot build the MSI; missing:" >&2
    for m in "${missing[@]}"; do echo "  - $m" >&2; done
    exit 2
fi

# --- Version ----------------------------------------------------------------------------------------
version="$("$root/scripts/version.sh")"
# ProductVersion must be major.minor.build with numbers only (major, minor < 256, build < 65536);
# Windows Installer cannot represent a Cargo pre-release such as 1.2.0-rc.1.
if [[ ! "$version" =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] ||
    ((BASH_REMATCH[1] > 255 || BASH_REMATCH[2] > 255 || BASH_REMATCH[3] > 65535)); then
    echo "build-msi: version \"$version\" (workspace.package.version in Cargo.toml) is not a valid" \
        "MSI ProductVersion; use X.Y.Z with X, Y <= 255 and Z <= 65535" >&2
    exit 1
fi

# --- Cross build ------------------------------------------------------------------------------------
# --locked: a release must be built from the committed Cargo.lock, never a silently updated one.
log "building rainstaff.exe $version for $TARGET (release)..."
cargo build --locked --release --target "$TARGET" -p rainstaff >&2

# Honour CARGO_TARGET_DIR / build.target-dir by asking cargo where the target dir is.
target_dir="$(cargo metadata --format-version 1 --no-deps --locked |
    sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
if [[ -z "$target_dir" ]]; then
    echo "build-msi: cannot find the cargo target directory in cargo metadata" >&2
    exit 1
fi
exe="$target_dir/$TARGET/release/rainstaff.exe"
if [[ ! -f "$exe" ]]; then
    echo "build-msi: the build finished but $exe does not exist" >&2
    exit 1
fi

# The release exe must be a GUI program (windows_subsystem = "windows" in src/main.rs); a console
# exe would open a black console window behind the app on every start. The PE optional header's
# Subsystem field sits 92 bytes after the "PE\0\0" signature: 2 = GUI, 3 = console.
pe_offset="$(od -An -t u4 -j 60 -N 4 "$exe" | tr -d ' ')"
subsystem="$(od -An -t u2 -j "$((pe_offset + 92))" -N 2 "$exe" | tr -d ' ')"
if [[ "$subsystem" != 2 ]]; then
    echo "build-msi: $exe has PE subsystem $subsystem, not 2 (Windows GUI); check the" \
        "windows_subsystem attribute in src/main.rs" >&2
    exit 1
fi

# --- MSI --------------------------------------------------------------------------------------------
out_dir="$target_dir/wix"
mkdir -p "$out_dir"
msi="$out_dir/rainstaff-$version-x64.msi"
# wixl 0.101 cannot open absolute Source paths (it joins them to its include dir), so it gets paths
# relative to the repository root, which is the current directory.
rel_exe="$(realpath --relative-to="$root" "$exe")"
log "packing $msi with wixl..."
wixl --arch x64 \
    --define "Version=$version" \
    --define "ExePath=$rel_exe" \
    --define "IconPath=assets/rainstaff.ico" \
    --define "HelpPath=assets/help.html" \
    --output "$msi" \
    wix/main.wxs >&2

log "done ($(du -h "$msi" | cut -f1))"
echo "$msi"
