#!/usr/bin/env bash
# Gets podman ready for `make bench`, without any registry, doing only what is missing:
#  - Debian's podman (CNI network backend: this machine has containernetworking-plugins and no
#    netavark) and GNU time (peak memory of each measured process);
#  - /etc/containers/containers.conf default_ulimits: podman's defaults (nofile 1048576, nproc
#    = the host maximum) are refused here (root lacks CAP_SYS_RESOURCE in this VM), so runc
#    cannot start any container; nofile=1024:1024 as the issue says, nproc=4096:4096 because
#    nproc is refused the same way on this machine;
#  - the very images Docker has (nginx:latest and podctl's pause image, `docker save | podman
#    load`), so both engines run the same bytes; podman's pods use podctl's pause as their infra
#    image (--infra-image), so no infra image is ever pulled;
#  - a podman network config dir holding the bench network as a conflist (podman's CNI backend
#    reads .conflist only), made from the same .conf that podctl and the by-hand script use.
#
#   bench/podman-setup.sh CONF OUT_DIR      (bench/run.ts calls it)
set -euo pipefail

conf=${1:?usage: $0 CONF OUT_DIR} out=${2:?usage: $0 CONF OUT_DIR}
IMAGES=(nginx:latest localhost/podctl-pause:3.10)
CONTAINERS_CONF=/etc/containers/containers.conf
ULIMITS='default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]'

step() { printf 'bench setup: %s\n' "$*" >&2; }

if ! command -v podman >/dev/null || ! [[ -x /usr/bin/time ]]; then
  step "installing podman and time (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends podman time >/dev/null </dev/null
fi

if ! grep -qs '^default_ulimits' "$CONTAINERS_CONF"; then
  step "setting $ULIMITS in $CONTAINERS_CONF"
  mkdir -p "$(dirname "$CONTAINERS_CONF")"
  if grep -qs '^\[containers\]' "$CONTAINERS_CONF"; then
    sed -i "/^\[containers\]/a $ULIMITS" "$CONTAINERS_CONF"
  else
    printf '[containers]\n%s\n' "$ULIMITS" >>"$CONTAINERS_CONF"
  fi
fi

missing=()
for image in "${IMAGES[@]}"; do
  # podman names an unqualified image loaded from docker localhost/NAME.
  podman image exists "localhost/${image#localhost/}" || missing+=("$image")
done
if ((${#missing[@]})); then
  step "loading ${missing[*]} from Docker into podman"
  docker save "${missing[@]}" | podman load -q >/dev/null
fi

mkdir -p "$out"
node -e '
  const fs = require("fs");
  const { cniVersion, name, ...plugin } = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  fs.writeFileSync(process.argv[2] + "/" + name + ".conflist", JSON.stringify({ cniVersion, name, plugins: [plugin] }, null, 2) + "\n");
' "$conf" "$out"
