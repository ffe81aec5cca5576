#!/usr/bin/env bash
# Seeds the app images podctl's demo and tests use, without any registry: nginx from Debian's
# nginx package, busybox built from the source of Debian's busybox-static (see busybox_binary).
# Each image is built when its tag is missing, or holds a seed of an older recipe; an image
# someone pulled or built under that tag is left alone.
#
#   images/build-app-images.sh                      make sure nginx:latest and busybox:latest exist in Docker
#   images/build-app-images.sh podman               the same in podman (as localhost/nginx:latest, ...)
#   images/build-app-images.sh rootfs nginx OUT.tar write just the root filesystem tar (for another engine)
#
# The rootfs builders know nothing of Docker, so podman (or anything that imports a tar) can reuse them.
set -euo pipefail

NGINX_TAG=${NGINX_TAG:-nginx:latest}
BUSYBOX_TAG=${BUSYBOX_TAG:-busybox:latest}
PATH_ENV='PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

die() { echo "build-app-images: $*" >&2; exit 1; }

# Temp files and dirs, removed on exit whatever happens.
TEMP_PATHS=()
cleanup() { if ((${#TEMP_PATHS[@]})); then rm -rf "${TEMP_PATHS[@]}"; fi; }
trap cleanup EXIT

# --- root filesystem pieces -------------------------------------------------------------

# Copies an ELF's shared libraries and its loader into the rootfs, at the paths ldd reports.
copy_shared_libs() {
  local binary=$1 root=$2 line lib
  local ldd_out
  ldd_out=$(ldd "$binary") || die "ldd $binary failed"
  if grep -q 'not found' <<<"$ldd_out"; then
    die "libraries of $binary missing on this host: $(grep 'not found' <<<"$ldd_out" | awk '{print $1}' | xargs)"
  fi
  while read -r line; do
    case $line in
      *'=> /'*) lib=${line#*=> }; lib=${lib%% (*} ;;
      /*) lib=${line%% (*} ;;
      *) continue ;; # linux-vdso: provided by the kernel
    esac
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done <<<"$ldd_out"
}

# /etc files every image gets: users and groups (with the ones nginx needs), and nsswitch.
write_etc() {
  local root=$1
  mkdir -p "$root/etc" "$root/tmp" "$root/root"
  chmod 1777 "$root/tmp"
  chmod 700 "$root/root"
  cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin
nginx:x:101:101:nginx user:/nonexistent:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
PASSWD
  cat >"$root/etc/group" <<'GROUP'
root:x:0:
www-data:x:33:
nginx:x:101:
nogroup:x:65534:
GROUP
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
}

pack_rootfs() {
  local root=$1 out=$2
  tar --numeric-owner --owner=0 --group=0 -C "$root" -cf "$out" .
}

# Downloads (never installs) Debian packages into a directory: a host nginx would start
# and take port 80.
download_debs() {
  local dir=$1; shift
  local apt=(apt-get download -qq -o APT::Sandbox::User=root)
  if ! (cd "$dir" && "${apt[@]}" "$@") >/dev/null 2>&1; then
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$dir" && "${apt[@]}" "$@") >/dev/null || die "apt-get download $* failed"
  fi
}

write_nginx_rootfs() {
  local out=$1 work
  work=$(mktemp -d /tmp/podctl-nginx-rootfs.XXXXXX) && TEMP_PATHS+=("$work")
  mkdir -p "$work/debs" "$work/pkg" "$work/root"
  download_debs "$work/debs" nginx nginx-common
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/pkg"; done

  local root=$work/root pkg=$work/pkg
  mkdir -p "$root/usr/sbin" "$root/etc" "$root/usr/share/nginx"
  cp -a "$pkg/usr/sbin/nginx" "$root/usr/sbin/nginx"
  cp -a "$pkg/etc/nginx" "$root/etc/nginx"
  cp -a "$pkg/usr/share/nginx/html" "$root/usr/share/nginx/html"
  copy_shared_libs "$pkg/usr/sbin/nginx" "$root"
  write_etc "$root"

  # Like the upstream image: the welcome page on port 80, logs to the container's output.
  rm -f "$root/etc/nginx/sites-enabled/"*
  cat >"$root/etc/nginx/conf.d/default.conf" <<'CONF'
server {
    listen 80;
    server_name localhost;
    location / {
        root /usr/share/nginx/html;
        index index.html index.htm;
    }
}
CONF
  mkdir -p "$root/var/lib/nginx" "$root/var/log/nginx" "$root/var/www" "$root/run"
  ln -s /dev/stdout "$root/var/log/nginx/access.log"
  ln -s /dev/stderr "$root/var/log/nginx/error.log"
  pack_rootfs "$root" "$out"
}

# Debian's busybox-static leaves out applets and options that upstream's busybox image has and
# manifests use: `wget -T` parses into a missing option and crashes (SIGSEGV, exit 139), `nc` is
# the small one (no -z, -v, -s, -u, -n), and there is no `dnsd`. So the seed is built from the
# source of that same Debian package, with Debian's static configuration plus these options.
BUSYBOX_OPTIONS=(FEATURE_WGET_TIMEOUT NC_110_COMPAT DNSD)
# Bumped when the recipe of an image changes: a seeded image with another value is built again.
RECIPE_nginx=1
RECIPE_busybox=2
RECIPE_LABEL=io.podctl.seed-recipe
BUSYBOX_CACHE=${PODCTL_BUSYBOX_CACHE:-/var/cache/podctl/busybox}

# The deb-src entry that serves the source of the installed busybox-static: the archive and
# suite apt installed it from (`apt-cache policy`), so nothing names a mirror of its own.
busybox_source_list() {
  local version=$1 out=$2
  apt-cache policy busybox-static | awk -v v="$version" '
    $1 == "***" { mine = ($2 == v) ; next }
    $1 ~ /^[0-9]/ && NF == 2 { mine = ($1 == v); next }
    mine && $2 ~ /^(https?|file):/ { split($3, sc, "/"); print "deb-src " $2 " " sc[1] " " sc[2]; exit }
  ' >"$out"
  [[ -s $out ]] || die "cannot tell which archive busybox-static $version came from (apt-cache policy busybox-static)"
}

# Prints the path of a static busybox built as above, compiling it once per source version.
busybox_binary() {
  local binary_version source_version key cached work list
  binary_version=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null) || die "busybox-static is not installed: apt-get install busybox-static"
  source_version=$(dpkg-query -W -f='${source:Version}' busybox-static)
  key="${source_version//[:~]/_}-r$RECIPE_busybox"
  cached=$BUSYBOX_CACHE/busybox-$key
  if [[ -x $cached ]]; then echo "$cached"; return 0; fi

  work=$(mktemp -d /tmp/podctl-busybox-src.XXXXXX) && TEMP_PATHS+=("$work")
  mkdir -p "$work/lists/partial" "$work/dl"
  list=$work/sources.list
  busybox_source_list "$binary_version" "$list"
  # Its own lists and caches: the host's apt state is not touched.
  mkdir -p "$work/cache/archives/partial"
  local apt=(apt-get -qq -o "Dir::Etc::SourceList=$list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o APT::Sandbox::User=root)
  "${apt[@]}" update >/dev/null || die "apt-get update of $(<"$list") failed"
  (cd "$work/dl" && "${apt[@]}" source --download-only "busybox=$source_version" >/dev/null) || die "apt-get source busybox=$source_version failed"
  # apt-get source checked the files against the signed Sources index; dpkg-source has no key.
  dpkg-source -x "$work"/dl/busybox_*.dsc "$work/src" >"$work/extract.log" 2>&1 || die "dpkg-source -x of busybox $source_version failed"

  local option config=$work/src/.config
  cp "$work/src/debian/config/pkg/static" "$config"
  for option in "${BUSYBOX_OPTIONS[@]}"; do
    sed -i "/^# CONFIG_${option} is not set\$/d; /^CONFIG_${option}=/d" "$config"
    echo "CONFIG_${option}=y" >>"$config"
  done
  # oldconfig answers every new question with its default (`yes` ends by SIGPIPE: not a failure).
  local oldconfig_status
  (cd "$work/src" && { yes '' | make oldconfig >/dev/null 2>&1; exit "${PIPESTATUS[1]}"; }) || oldconfig_status=$?
  [[ -z ${oldconfig_status:-} ]] || die "busybox: make oldconfig failed"
  for option in "${BUSYBOX_OPTIONS[@]}"; do
    grep -qx "CONFIG_${option}=y" "$config" || die "busybox: CONFIG_$option did not stay on in the configuration"
  done
  echo "compiling busybox $source_version (Debian's static configuration + ${BUSYBOX_OPTIONS[*]}): a few minutes, once" >&2
  (cd "$work/src" && make -j"$(nproc)" busybox >"$work/build.log" 2>&1) || { tail -n 20 "$work/build.log" >&2; die "busybox: build failed"; }
  if ldd "$work/src/busybox" >/dev/null 2>&1; then die "busybox: the build is not static"; fi
  mkdir -p "$BUSYBOX_CACHE"
  cp "$work/src/busybox" "$cached.tmp" && mv "$cached.tmp" "$cached"
  echo "$cached"
}

write_busybox_rootfs() {
  local out=$1 work busybox applet
  busybox=$(busybox_binary)
  work=$(mktemp -d /tmp/podctl-busybox-rootfs.XXXXXX) && TEMP_PATHS+=("$work")
  local root=$work/root
  mkdir -p "$root/bin" "$root/var" "$root/home"
  cp -L "$busybox" "$root/bin/busybox"
  for applet in $("$busybox" --list); do
    [[ $applet == busybox ]] || ln -s busybox "$root/bin/$applet"
  done
  write_etc "$root"
  pack_rootfs "$root" "$out"
}

write_rootfs() {
  case $1 in
    nginx) write_nginx_rootfs "$2" ;;
    busybox) write_busybox_rootfs "$2" ;;
    *) die "unknown image '$1' (nginx or busybox)" ;;
  esac
}

# --- engines -----------------------------------------------------------------------------

# The image config each image gets on import (Dockerfile instructions), the same on every engine.
image_changes() {
  local recipe=RECIPE_$1
  printf '%s\n' "ENV $PATH_ENV" "LABEL $RECIPE_LABEL=${!recipe}"
  case $1 in
    nginx) printf '%s\n' 'EXPOSE 80' 'CMD ["nginx", "-g", "daemon off;"]' ;;
    busybox) printf '%s\n' 'CMD ["sh"]' ;;
  esac
}

# ENGINE import --change ... TARBALL TAG, for docker and podman alike.
engine_import() {
  local engine=$1 name=$2 tarball=$3 tag=$4 change args=()
  [[ $engine == podman ]] && args+=(--quiet) # its copy progress; docker import prints none
  while IFS= read -r change; do args+=(--change "$change"); done < <(image_changes "$name")
  "$engine" import "${args[@]}" "$tarball" "$tag" >/dev/null
}

# Runs the fresh nginx image with port 80 published on 127.0.0.1 only, and fetches the page.
verify_nginx() {
  local tag=$1 name="podctl-verify-nginx-$$" port page ok=1
  docker run -d --rm --name "$name" -p 127.0.0.1::80 "$tag" >/dev/null
  port=$(docker port "$name" 80/tcp | head -n1) && port=${port##*:}
  for _ in $(seq 50); do
    if page=$(curl -fsS --max-time 2 "http://127.0.0.1:$port/" 2>/dev/null) && [[ $page == *'Welcome to nginx!'* ]]; then
      ok=0
      break
    fi
    sleep 0.1
  done
  if ((ok != 0)); then
    docker logs "$name" >&2 || true
  fi
  docker rm -f "$name" >/dev/null 2>&1 || true
  return "$ok"
}

# What ENGINE holds under TAG: "missing", "current" (seeded by this recipe), "stale" (seeded by
# an older recipe: an import without the label is recipe 1) or "foreign" (pulled or built by
# someone else: left alone).
seed_state() {
  local engine=$1 name=$2 tag=$3 info recipe=RECIPE_$2
  info=$("$engine" image inspect --format "{{.Comment}}|{{index .Config.Labels \"$RECIPE_LABEL\"}}" "$tag" 2>/dev/null) || { echo missing; return; }
  local comment=${info%%|*} label=${info#*|}
  [[ $label == '<no value>' ]] && label=''
  if [[ -z $label && ${comment,,} != 'imported from '* ]]; then echo foreign; return; fi
  if [[ ${label:-1} == "${!recipe}" ]]; then echo current; else echo stale; fi
}

# Imports the new seed under TAG, then removes the older seed it untagged (unless a container
# still uses it: then it stays, untagged, until that container is gone).
replace_seed() {
  local engine=$1 name=$2 tarball=$3 tag=$4 old
  old=$("$engine" image inspect --format '{{.Id}}' "$tag" 2>/dev/null) || old=''
  engine_import "$engine" "$name" "$tarball" "$tag"
  if [[ -n $old && $old != $("$engine" image inspect --format '{{.Id}}' "$tag") ]]; then
    "$engine" image rm "$old" >/dev/null 2>&1 || true
  fi
}

replaced_note() { [[ $1 == stale ]] && echo ' (replacing the seed of an older recipe)'; return 0; }

ensure_docker_image() {
  local name=$1 tag=$2 tarball state
  state=$(seed_state docker "$name" "$tag")
  [[ $state == missing || $state == stale ]] || return 0
  tarball=$(mktemp /tmp/podctl-"$name"-rootfs.XXXXXX.tar) && TEMP_PATHS+=("$tarball")
  write_rootfs "$name" "$tarball"
  replace_seed docker "$name" "$tarball" "$tag"
  if [[ $name == nginx ]] && ! verify_nginx "$tag"; then
    docker rmi "$tag" >/dev/null 2>&1 || true
    die "$tag was built but does not serve its welcome page"
  fi
  echo "built $tag from Debian packages$(replaced_note "$state")"
}

# podman keeps an image imported without a registry as localhost/NAME and resolves the short
# name (nginx) to it, so pods name the same images on both engines. Only Docker's import is
# served and fetched once (verify_nginx): the rootfs is the same, and podman has no network
# of its own set up here to run it on.
ensure_podman_image() {
  local name=$1 tag=localhost/${2#localhost/} tarball state
  state=$(seed_state podman "$name" "$tag")
  [[ $state == missing || $state == stale ]] || return 0
  tarball=$(mktemp /tmp/podctl-"$name"-rootfs.XXXXXX.tar) && TEMP_PATHS+=("$tarball")
  write_rootfs "$name" "$tarball"
  replace_seed podman "$name" "$tarball" "$tag"
  echo "built $tag in podman from Debian packages$(replaced_note "$state")"
}

main() {
  case ${1:-docker} in
    docker)
      ensure_docker_image nginx "$NGINX_TAG"
      ensure_docker_image busybox "$BUSYBOX_TAG"
      ;;
    podman)
      ensure_podman_image nginx "$NGINX_TAG"
      ensure_podman_image busybox "$BUSYBOX_TAG"
      ;;
    rootfs)
      [[ $# -eq 3 ]] || die "usage: $0 rootfs nginx|busybox OUT.tar"
      write_rootfs "$2" "$3"
      ;;
    *) die "usage: $0 [docker | podman | rootfs nginx|busybox OUT.tar]" ;;
  esac
}

main "$@"
