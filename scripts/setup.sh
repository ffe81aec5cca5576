#!/usr/bin/env bash
# Everything `make demo` and `make test` need on a Debian 12 machine, done only where missing:
# Debian packages, node_modules, the build, a Docker engine, and the local images.
# Idempotent, non-interactive (CI=true, no stdin), one line per step; a second run takes < 2 s.
#
#   scripts/setup.sh                 for dockerd, or for podman when DOCKER_HOST names a podman
#                                    socket (unix://...podman...): its API service is started there
#   scripts/setup.sh --with-podman   dockerd and podman both (`make test`: e2e/engines.test.ts)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/lib/podman.sh

WITH_PODMAN=0
case ${1:-} in
  --with-podman) WITH_PODMAN=1 ;;
  '') ;;
  *) printf 'setup: error: unknown option %s (use --with-podman or nothing)\n' "$1" >&2; exit 2 ;;
esac
# DOCKER_HOST naming a podman socket makes podman the engine: no dockerd is needed then.
PODMAN_HOST=0
if [[ ${DOCKER_HOST:-} == unix://*podman* ]]; then PODMAN_HOST=1 WITH_PODMAN=1; fi

export DEBIAN_FRONTEND=noninteractive
DOCKERD_LOG=${PODCTL_DOCKERD_LOG:-/var/log/podctl/dockerd.log}
DOCKERD_WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}
# Runtime (docker, CNI plugins, iptables, ip), the pause build (gcc, libc6-dev), the app images
# (busybox is compiled from busybox-static's Debian source: dpkg-dev, bzip2, xz-utils; nginx's shared
# libraries are taken from the host), the demo's curl.
# Services: nftables (the rules; `podctl info` reports it), conntrack (stale UDP flows), kmod
# (modprobe br_netfilter); `podctl trace` reads the ruleset with nft and NAT with conntrack,
# `net graph -o svg` lays out with graphviz's dot. The cluster DNS tests ask it with dig.
# The API tests drive serve with the official Python client too (python3-kubernetes).
PACKAGES=(
  containernetworking-plugins iptables iproute2 gcc libc6-dev make busybox-static dpkg-dev bzip2 xz-utils curl
  ca-certificates libcrypt1 libpcre2-8-0 libssl3 zlib1g nftables conntrack kmod graphviz
  bind9-dnsutils python3-kubernetes
)
if ((!PODMAN_HOST)); then PACKAGES+=(docker.io); fi
if ((WITH_PODMAN)); then PACKAGES+=(podman); fi
PODMAN_LOG=${PODCTL_PODMAN_LOG:-/var/log/podctl/podman-service.log}

step() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

missing_packages() {
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null |
    awk '$2 == "installed" { print $1 }') || true
  local pkg
  for pkg in "${PACKAGES[@]}"; do
    # An engine installed another way (docker-ce, a static build) serves as well as docker.io.
    if [[ $pkg == docker.io ]] && command -v docker >/dev/null && command -v dockerd >/dev/null; then continue; fi
    grep -qx -- "$pkg" <<<"$installed" || printf '%s\n' "$pkg"
  done
}

ensure_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]} == 0)); then
    step "packages: present"
    return
  fi
  ((EUID == 0)) || die "packages missing (${missing[*]}); run as root or install them"
  step "packages: installing ${missing[*]}"
  apt-get update -qq >/dev/null
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null </dev/null
}

ensure_node_modules() {
  # npm writes node_modules/.package-lock.json on every install: older than the lockfile = stale.
  if [[ -f node_modules/.package-lock.json && ! package-lock.json -nt node_modules/.package-lock.json ]]; then
    step "node_modules: up to date"
    return
  fi
  step "node_modules: npm ci"
  npm ci --no-audit --no-fund --loglevel=error </dev/null >/dev/null
}

build() {
  step "build: make build"
  make -s --no-print-directory build
}

engine_answers() { timeout 10 docker version >/dev/null 2>&1; }

# A dockerd (or its containerd) that was killed leaves its pid file; where init does not reap
# the dead process soon, its pid still looks alive and the next dockerd refuses to start ("pid
# file found") or waits for that containerd until it gives up. Such a file goes when its process
# is gone or a zombie; a live one is left alone.
remove_stale_pid_file() {
  local file=$1 pid state
  [[ -f $file ]] || return 0
  pid=$(<"$file")
  state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null || true)
  if [[ -z $state || $state == Z ]]; then
    step "docker: removing $file (process $pid is gone)"
    rm -f "$file"
  fi
}

ensure_engine() {
  if engine_answers; then
    step "docker: engine answers"
    return
  fi
  local host=${DOCKER_HOST:-}
  if [[ -n $host && $host != unix:///var/run/docker.sock ]]; then
    die "no Docker engine answers at DOCKER_HOST=$host (podctl starts a local dockerd only for the default socket)"
  fi
  command -v dockerd >/dev/null || die "dockerd not found: apt-get install docker.io"
  step "docker: starting dockerd (log: $DOCKERD_LOG)"
  mkdir -p "$(dirname "$DOCKERD_LOG")"
  remove_stale_pid_file /var/run/docker.pid
  remove_stale_pid_file /var/run/docker/containerd/containerd.pid
  # setsid + nohup: the engine outlives this script, its terminal and its process group.
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  wait_for_engine dockerd "$!" "$DOCKERD_LOG" engine_answers
}

# Waits until `answers` succeeds, or the started process `pid` dies or the time is up.
wait_for_engine() {
  local what=$1 pid=$2 log=$3 answers=$4 waited=0
  until "$answers"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$log" >&2 || true
      die "$what exited during start-up; see $log"
    fi
    if ((waited >= DOCKERD_WAIT_SECONDS * 2)); then
      tail -n 20 "$log" >&2 || true
      die "$what did not answer within ${DOCKERD_WAIT_SECONDS}s; see $log"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

podman_socket() { local path=${DOCKER_HOST#unix://}; printf '%s' "$path"; }
podman_answers() { curl -fsS --max-time 10 --unix-socket "$(podman_socket)" http://podman/_ping >/dev/null 2>&1; }

# podman's Docker-compatible API on the DOCKER_HOST socket, started when nothing answers there.
ensure_podman_service() {
  if podman_answers; then
    step "podman: API service answers at $DOCKER_HOST"
    return
  fi
  step "podman: starting its API service at $DOCKER_HOST (log: $PODMAN_LOG)"
  mkdir -p "$(dirname "$PODMAN_LOG")" "$(dirname "$(podman_socket)")"
  # --time=0: no idle exit. setsid + nohup: it outlives this script, like dockerd.
  setsid nohup podman system service --time=0 "$DOCKER_HOST" >>"$PODMAN_LOG" 2>&1 </dev/null &
  wait_for_engine "podman system service" "$!" "$PODMAN_LOG" podman_answers
}

ensure_podman() {
  local did
  did=$(ensure_podman_ulimits)
  step "podman: ${did:-default_ulimits present in $PODMAN_CONTAINERS_CONF}"
  if ((PODMAN_HOST)); then ensure_podman_service; fi
}

ensure_images() {
  local out engines=()
  if ((!PODMAN_HOST)); then engines+=(docker); fi
  if ((WITH_PODMAN)); then engines+=(podman); fi
  for engine in "${engines[@]}"; do
    out=$(images/build-app-images.sh "$engine")
    out=${out//$'\n'/; }
    step "images ($engine): ${out:-nginx:latest and busybox:latest present}"
  done
}

# The CLI's V8 code cache, written by `make build`, holds only what ran at build time; a function
# is compiled at its first call. One pod's life through the CLI with PODCTL_WRITE_CODE_CACHE=1
# (bin/load-cli.cjs) rewrites it with what `run`, `rm -f` and `ps` compile: ~5 % less CPU per
# command. Once per build (the stamp holds the bundle's build id); the pod is removed at once.
warm_code_cache() {
  local stamp=dist/cli/.code-cache-warm id pod="podctl-setup-warmup-$$"
  id=$(head -n 1 dist/cli/podctl.cjs)
  if [[ -f $stamp && $(<"$stamp") == "$id" ]]; then
    step "code cache: warm"
    return
  fi
  if PODCTL_WRITE_CODE_CACHE=1 bin/podctl run --name "$pod" --image nginx:latest >/dev/null 2>&1 &&
    PODCTL_WRITE_CODE_CACHE=1 bin/podctl rm -f "$pod" >/dev/null 2>&1 &&
    PODCTL_WRITE_CODE_CACHE=1 bin/podctl ps >/dev/null 2>&1; then
    printf '%s\n' "$id" >"$stamp"
    step "code cache: warmed by one pod's life"
  else
    bin/podctl rm -f "$pod" >/dev/null 2>&1 || true
    step "code cache: not warmed (the warm-up pod did not run); podctl works the same, a little slower"
  fi
}

ensure_packages
ensure_node_modules
build
if ((!PODMAN_HOST)); then ensure_engine; fi
if ((WITH_PODMAN)); then ensure_podman; fi
ensure_images
warm_code_cache
