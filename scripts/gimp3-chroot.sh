#!/usr/bin/env bash
# A Debian 13 (trixie) chroot with GIMP 3 and hfsr's build dependencies, for
# testing against real GIMP 3 on a Debian 12 host (scripts/test.sh's GIMP 3
# step).  Made once with debootstrap from Debian's own archive, then reused.
#
#   scripts/gimp3-chroot.sh                  make (or complete) the chroot
#   scripts/gimp3-chroot.sh COMMAND [ARG...] ... and run COMMAND in it, in
#                                            this source tree (bind-mounted
#                                            at the same path)
#
# Environment:
#   HFSR_GIMP3_CHROOT   where the chroot lives (/var/cache/hfsr/trixie);
#                       outside the source tree, which is mounted into it
#   HFSR_DEBIAN_MIRROR  the Debian archive to bootstrap from (default: the
#                       host's own Debian archive from its apt sources, else
#                       debootstrap's default)
#
# Needs root (re-runs itself with sudo); COMMAND runs as the user who called
# sudo, or as root.  A run that was killed leaves no harm: mounts left
# behind are undone and a half-made chroot is finished or made again on the
# next run.
# SPDX-License-Identifier: GPL-3.0-or-later
set -euo pipefail
cd "$(dirname "$0")/.."
tree=$PWD

if [[ $(id -u) -ne 0 ]]; then
  exec sudo --preserve-env=HFSR_GIMP3_CHROOT,HFSR_DEBIAN_MIRROR "$0" "$@"
fi

root=${HFSR_GIMP3_CHROOT:-/var/cache/hfsr/trixie}
root=${root%/}
case $root in
  /*) ;;
  *) echo "gimp3-chroot: HFSR_GIMP3_CHROOT must be an absolute path" >&2; exit 2 ;;
esac
# rm -rf of a half-made chroot and the mount checks below rely on a plain path.
if [[ $root == / || $root =~ [[:space:]] || $tree/ == "$root"/* || $root/ == "$tree"/* ]]; then
  echo "gimp3-chroot: unusable chroot path '$root' (/, spaces, or inside/around the source tree)" >&2
  exit 2
fi
suite=trixie
# What the build and the tests need (gimp brings python3-gi and its
# GObject introspection data, which its python-fu-eval needs; appstream's
# appstreamcli validates the metainfo against AppStream 1.0).
packages=(build-essential meson ninja-build pkg-config gettext
          libglib2.0-dev libjson-glib-dev libopenblas-dev libfftw3-dev
          libgegl-dev libbabl-dev gegl gimp libgimp-3.0-dev appstream libgexiv2-dev libjpeg-dev
          xvfb xauth xdotool imagemagick locales
          python3 python3-numpy python3-pil python3-tifffile)
marker=$root/.hfsr-packages          # the package list, once all installed
wanted=$(printf '%s\n' "${packages[@]}" | sort)

timer() { echo "gimp3-chroot: $1 in $((SECONDS - $2)) s"; }

mkdir -p "$(dirname "$root")"
# The kernel names mounts and process roots by the path without symlinks.
root=$(realpath -m "$root")
# One run at a time per chroot: creation, apt and the mounts are not shared.
exec 9>"$root.lock"
if ! flock -n 9; then
  echo "gimp3-chroot: waiting for another run to release $root.lock"
  flock 9
fi

# Mount points under DIR (the chroot unless given), deepest first
# (/proc/self/mounts has them in mount order, so the reverse order unmounts
# children before parents).
mounts_under() {
  awk -v r="${1:-$root}" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts | tac
}

# Processes whose root is the chroot: a GIMP or Xvfb that outlived its
# test would keep the mounts busy.  Only those, by process id.
stop_chroot_processes() {
  local link pid found=0
  for link in /proc/[0-9]*/root; do
    [[ $(readlink "$link" 2>/dev/null) == "$root" ]] || continue
    pid=${link#/proc/}; pid=${pid%/root}
    kill -KILL "$pid" 2>/dev/null && found=1
  done
  if ((found)); then sleep 1; fi
}

# unmount_all [DIR]: everything mounted under the chroot (or DIR).
unmount_all() {
  local m
  stop_chroot_processes
  for m in $(mounts_under "$@"); do
    umount "$m" 2>/dev/null || umount -l "$m"
  done
  if [[ -n $(mounts_under "$@") ]]; then
    echo "gimp3-chroot: cannot unmount:" $(mounts_under "$@") >&2
    return 1
  fi
}

mounted=0
mount_all() {
  mounted=1
  mount -t proc proc "$root/proc"
  # rslave: what is unmounted in the chroot's copies never reaches the host.
  mount --rbind /sys "$root/sys" && mount --make-rslave "$root/sys"
  mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev"
  mkdir -p "$root$tree"
  mount --bind "$tree" "$root$tree" && mount --make-slave "$root$tree"
}

cleanup() {
  local status=$?
  if ((mounted)); then unmount_all || status=1; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A run killed before its trap ran (SIGKILL, a reboot is harmless) leaves
# its mounts: undo them before anything touches the tree.
if [[ -n $(mounts_under) ]]; then
  echo "gimp3-chroot: unmounting what an earlier run left mounted"
  unmount_all
fi

install_debootstrap() {
  command -v debootstrap >/dev/null && return
  echo "gimp3-chroot: installing debootstrap"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
}

# The host's Debian archive (first non-security URI in its apt sources).
host_mirror() {
  { sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null | tr ' ' '\n'
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i ~ /:\/\//) { print $i; break } }' \
      /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
  } | grep -v security | grep -E '/debian/?$' | head -n 1 || true
}

# debootstrap works in $root.partial and the result is renamed to $root only
# when it finished: a $root always holds a bootstrapped system.
bootstrap() {
  local started=$SECONDS partial=$root.partial mirror
  install_debootstrap
  if [[ -e $partial ]]; then
    echo "gimp3-chroot: removing the half-made $partial"
    # a killed debootstrap leaves its proc and sys mounts in it
    unmount_all "$partial"
    rm -rf --one-file-system "$partial"
  fi
  mirror=${HFSR_DEBIAN_MIRROR:-$(host_mirror)}
  echo "gimp3-chroot: debootstrap $suite into $partial${mirror:+ from $mirror}"
  debootstrap --variant=minbase "$suite" "$partial" ${mirror:+"$mirror"}
  mv "$partial" "$root"
  timer "debootstrap" "$started"
}

install_packages() {
  local started=$SECONDS
  echo "gimp3-chroot: installing ${#packages[@]} packages in $root"
  # No service starts inside the chroot.
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  rm -f "$marker"
  # apt needs names resolved (only here: a reused chroot needs no network)
  cp -L /etc/resolv.conf "$root/etc/resolv.conf"
  in_chroot env DEBIAN_FRONTEND=noninteractive dpkg --configure -a
  in_chroot apt-get update -q
  in_chroot env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${packages[@]}"
  in_chroot apt-get clean
  # A German locale for the GIMP 3 translation test: glibc 2.41 ignores
  # LANGUAGE under C.UTF-8.
  sed -i 's/^# *\(de_DE.UTF-8 UTF-8\)/\1/' "$root/etc/locale.gen"
  in_chroot locale-gen
  printf '%s\n' "$wanted" > "$marker"
  timer "apt-get install" "$started"
}

# in_chroot [--user] COMMAND...: COMMAND in the chroot, in the source tree,
# with a clean environment (the host's PATH and Python paths mean nothing
# there); HFSR_* settings pass through.  --user: as the user who called sudo.
in_chroot() {
  local -a pass=() user=()
  local name home=/root
  if [[ $1 == --user ]]; then
    shift
    if [[ -n ${SUDO_UID:-} && $SUDO_UID != 0 ]]; then
      user=(--userspec="$SUDO_UID:$SUDO_GID")
      home=/tmp
    fi
  fi
  for name in $(compgen -e); do
    if [[ $name == HFSR_* ]]; then pass+=("$name=${!name}"); fi
  done
  # In the background, waited for: bash runs a trap only once a foreground
  # command ends, and a TERM or INT must unmount (after killing what runs
  # in the chroot) at once.  Without the lock's descriptor: what outlives a
  # killed run must not keep the next one waiting.
  chroot "${user[@]}" "$root" /usr/bin/env -i HOME="$home" LANG=C.UTF-8 TERM="${TERM:-dumb}" \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    "${pass[@]}" /bin/sh -c 'cd "$1" && shift && exec "$@"' sh "$tree" "$@" 9>&- &
  wait "$!"
}

started=$SECONDS
if [[ ! -d $root ]]; then
  bootstrap
fi
if [[ -f $marker && $(cat "$marker") == "$wanted" ]]; then
  # measured before the source tree is mounted in it
  echo "gimp3-chroot: reusing $root ($(du -sh --one-file-system "$root" | cut -f1))"
  mount_all
else
  mount_all
  install_packages
fi
timer "chroot ready" "$started"

if (($# > 0)); then
  started=$SECONDS
  status=0
  in_chroot --user "$@" || status=$?
  timer "$1" "$started"
  exit "$status"
fi
