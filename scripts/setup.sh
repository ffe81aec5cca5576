#!/usr/bin/env bash
# Everything `make demo` and `make test` need on a Debian 12 machine, done only where missing:
# Debian packages, node_modules, the build, a Docker engine, and the local images.
# Idempotent, non-interactive (CI=true, no stdin), one line per step; a second run takes < 2 s.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export DEBIAN_FRONTEND=noninteractive
DOCKERD_LOG=${PODCTL_DOCKERD_LOG:-/var/log/podctl/dockerd.log}
DOCKERD_WAIT_SECONDS=${DOCKERD_WAIT_SECONDS:-60}
# Runtime (docker, CNI plugins, iptables, ip), the pause build (gcc, libc6-dev), the app images
# (busybox-static; nginx's shared libraries are taken from the host), and the demo's curl;
# `podctl trace` reads the ruleset with nft and NAT with conntrack, `net graph -o svg` runs dot.
PACKAGES=(
  docker.io containernetworking-plugins iptables iproute2 gcc libc6-dev make busybox-static curl
  ca-certificates libcrypt1 libpcre2-8-0 libssl3 zlib1g nftables conntrack graphviz
)

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
  # setsid + nohup: the engine outlives this script, its terminal and its process group.
  setsid nohup dockerd >>"$DOCKERD_LOG" 2>&1 </dev/null &
  local pid=$! waited=0
  until engine_answers; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd exited during start-up; see $DOCKERD_LOG"
    fi
    if ((waited >= DOCKERD_WAIT_SECONDS * 2)); then
      tail -n 20 "$DOCKERD_LOG" >&2 || true
      die "dockerd did not answer within ${DOCKERD_WAIT_SECONDS}s; see $DOCKERD_LOG"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
}

ensure_images() {
  local out
  out=$(images/build-app-images.sh)
  out=${out//$'\n'/; }
  step "images: ${out:-nginx:latest and busybox:latest present}"
}

ensure_packages
ensure_node_modules
build
ensure_engine
ensure_images
