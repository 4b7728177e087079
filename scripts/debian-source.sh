#!/usr/bin/env bash
# Fetches and unpacks Debian source packages with a private apt configuration: deb-src entries
# derived from the machine's configured Debian mirrors, lists and cache under the work directory.
# The system's apt sources, lists and cache are never touched, and no root is needed.
#
#   scripts/debian-source.sh WORKDIR SOURCE=VERSION...
#
# Prints the unpacked directory of each package, one a line. VOXPOOL_DEBIAN_MIRROR (a URI) replaces
# the configured mirrors; VOXPOOL_DEBIAN_SUITES (e.g. "bookworm bookworm-updates") their suites.
#
#   scripts/debian-source.sh --mirror
#
# Prints the first configured Debian mirror (for fetching from another suite of the same mirror).
set -euo pipefail

# deb-src lines for every Debian "deb" entry on this machine, in both formats apt reads
# (deb822 .sources stanzas and one-line .list files). Other vendors' repositories are skipped.
sources_list() {
  if [ -n "${VOXPOOL_DEBIAN_MIRROR:-}" ]; then
    local suites=${VOXPOOL_DEBIAN_SUITES:-$(. /etc/os-release && echo "$VERSION_CODENAME")}
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $VOXPOOL_DEBIAN_MIRROR $suites main"
    return
  fi
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && uris ~ /debian/)
          for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
            printf "deb-src [signed-by=%s] %s %s %s\n", key, u[i], s[j], comps
        types = uris = comps = ""; key = "/usr/share/keyrings/debian-archive-keyring.gpg"; nu = ns = 0
      }
      BEGIN { flush() }
      /^[ \t]*$/ { flush(); next }
      /^Types:/ { sub(/^Types:[ \t]*/, ""); types = $0 }
      /^URIs:/ { sub(/^URIs:[ \t]*/, ""); uris = $0; nu = split($0, u, /[ \t]+/) }
      /^Suites:/ { sub(/^Suites:[ \t]*/, ""); ns = split($0, s, /[ \t]+/) }
      /^Components:/ { sub(/^Components:[ \t]*/, ""); comps = $0 }
      /^Signed-By:/ { sub(/^Signed-By:[ \t]*/, ""); key = $0 }
      END { flush() }' "$f"
  done
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '$1 == "deb" && /debian/ { $1 = "deb-src"; print }' || true
}
if [ "${1:-}" = --mirror ]; then
  VOXPOOL_DEBIAN_MIRROR='' sources_list | awk '$3 !~ /security/ { print $3; exit }'
  exit 0
fi

work=$(mkdir -p "$1" && cd "$1" && pwd)
shift
apt_dir="$work/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$work/src"
sources_list | sort -u > "$apt_dir/sources.list"
if ! [ -s "$apt_dir/sources.list" ]; then
  echo "voxpool: no Debian mirror configured in /etc/apt; set VOXPOOL_DEBIAN_MIRROR" >&2
  exit 1
fi

apt_opts=(
  -o "Dir::Etc::SourceList=$apt_dir/sources.list"
  -o "Dir::Etc::SourceParts=$apt_dir/none"
  -o "Dir::State::Lists=$apt_dir/lists"
  -o "Dir::Cache=$apt_dir/cache"
  -o "Debug::NoLocking=1"
  -o "APT::Sandbox::User=root"
)
apt-get "${apt_opts[@]}" -qq update >&2
cd "$work/src"
for spec in "$@"; do
  name=${spec%%=*}
  version=${spec#*=}
  upstream=${version#*:}
  upstream=${upstream%-*}
  dir="$work/src/$name-$upstream"
  if ! [ -f "$dir/.voxpool-$version" ]; then
    rm -rf "$dir"
    apt-get "${apt_opts[@]}" -qq source "$spec" >&2
    touch "$dir/.voxpool-$version"
  fi
  echo "$dir"
done
