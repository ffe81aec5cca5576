# podman for podctl, sourced by scripts/setup.sh and bench/podman-setup.sh (bash; `set -e` callers).
#
# podman's default ulimits (nofile 1048576, nproc = the host maximum) are refused where root
# lacks CAP_SYS_RESOURCE (this VM, many CI containers), and then runc starts no container at
# all. podctl's set-up gives it the limits the issue names, in the one file podman reads.

PODMAN_CONTAINERS_CONF=${PODMAN_CONTAINERS_CONF:-/etc/containers/containers.conf}
PODMAN_ULIMITS='default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]'

# Adds default_ulimits under [containers], creating the section or the file when missing. A file
# that already sets default_ulimits is left as it is (that choice is its owner's); so is every
# other setting. Prints what it did, or nothing.
ensure_podman_ulimits() {
  local conf=$PODMAN_CONTAINERS_CONF
  if grep -qsE '^[[:space:]]*default_ulimits[[:space:]]*=' "$conf"; then return 0; fi
  mkdir -p "$(dirname "$conf")"
  if grep -qsE '^[[:space:]]*\[containers\][[:space:]]*$' "$conf"; then
    sed -i -E "0,/^[[:space:]]*\[containers\][[:space:]]*$/s//&\n$PODMAN_ULIMITS/" "$conf"
  else
    if [[ -s $conf && -n $(tail -c1 "$conf") ]]; then printf '\n' >>"$conf"; fi
    printf '[containers]\n%s\n' "$PODMAN_ULIMITS" >>"$conf"
  fi
  echo "set $PODMAN_ULIMITS in $conf"
}
