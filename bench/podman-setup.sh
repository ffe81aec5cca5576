#!/usr/bin/env bash
# Gets podman ready for `make bench`, without any registry, doing only what is missing:
#  - Debian's podman (CNI network backend: this machine has containernetworking-plugins and no
#    netavark) and GNU time (peak memory of each measured process);
#  - /etc/containers/containers.conf default_ulimits (scripts/lib/podman.sh says why);
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
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/podman.sh" # ensure_podman_ulimits

step() { printf 'bench setup: %s\n' "$*" >&2; }

if ! command -v podman >/dev/null || ! [[ -x /usr/bin/time ]]; then
  step "installing podman and time (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends podman time >/dev/null </dev/null
fi

did=$(ensure_podman_ulimits)
if [[ -n $did ]]; then step "$did"; fi

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
