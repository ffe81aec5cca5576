#!/usr/bin/env bash
# A pod by hand: what podctl automates, as the floor podctl is measured against.
#
#   bench/by-hand-pod.sh up NAME CONF [IMAGE]   pause container (--network none), a /var/run/netns
#                                               link to its SandboxKey, the bridge plugin's ADD
#                                               with CONF, then the app joined to the pause;
#                                               prints the pod IP
#   bench/by-hand-pod.sh down NAME CONF         DEL while the namespace lives, then remove both
#                                               containers and the link
#
# CONF is one plugin's config (bridge + host-local), the same file podctl reads in its conf dir.
# docker CLI, the plugin binary and a symlink, nothing else; no error recovery.
set -euo pipefail

PAUSE_IMAGE=${PAUSE_IMAGE:-localhost/podctl-pause:3.10}
CNI_BIN=${CNI_BIN:-/usr/lib/cni}
NETNS_DIR=/var/run/netns

usage() { echo "usage: $0 up NAME CONF [IMAGE] | down NAME CONF" >&2; exit 2; }
(($# >= 3)) || usage
verb=$1 name=$2 conf=$3 image=${4:-nginx:latest}
pause=pct-byhand-$name-pause app=pct-byhand-$name-app

cni() {
  local command=$1 id=$2
  CNI_COMMAND=$command CNI_CONTAINERID=$id CNI_NETNS=$NETNS_DIR/$name CNI_IFNAME=eth0 \
    CNI_PATH=$CNI_BIN "$CNI_BIN/bridge" <"$conf"
}

case $verb in
  up)
    id=$(docker run -d --name "$pause" --network none "$PAUSE_IMAGE")
    sandbox=$(docker inspect -f '{{.NetworkSettings.SandboxKey}}' "$id")
    mkdir -p "$NETNS_DIR"
    ln -sfn "$sandbox" "$NETNS_DIR/$name"
    result=$(cni ADD "$id")
    docker run -d --name "$app" --network "container:$id" "$image" >/dev/null
    # The first address of the result: "address": "10.233.0.5/16"
    ip=$(grep -o '"address": *"[0-9.]*' <<<"$result" | head -n1 | grep -o '[0-9.]*$')
    echo "$ip"
    ;;
  down)
    id=$(docker inspect -f '{{.Id}}' "$pause")
    cni DEL "$id" >/dev/null
    docker rm -f "$app" "$pause" >/dev/null
    rm -f "$NETNS_DIR/$name"
    ;;
  *) usage ;;
esac
