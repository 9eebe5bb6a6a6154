#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what kipc needs to build and to test in a QEMU guest, on Debian 12.
# Idempotent: when every package is installed and the kselftest harness and
# checkpatch are extracted, it does nothing.  Must run as root otherwise.
set -eu

# The one list of packages the project needs (the last line: building the
# debug kernel, tools/debug-kernel/build).
PACKAGES="build-essential linux-image-amd64 linux-headers-amd64
linux-image-6.12-amd64 linux-headers-6.12-amd64 qemu-system-x86
busybox-static cpio libnl-3-dev libnl-genl-3-dev linux-source-6.12 sparse
pkg-config kmod xz-utils gnuplot-nox groff-base mandoc
flex bison bc libelf-dev libssl-dev"

# Files taken from linux-source-6.12: the kselftest harness, checkpatch and
# the ioctl number list.  KIPC_CACHE is also used by the Makefile.
KIPC_CACHE=${KIPC_CACHE:-/var/cache/kipc}
SRC=linux-source-6.12
EXTRACT="$SRC/tools/testing/selftests/kselftest*
$SRC/scripts/checkpatch.pl
$SRC/scripts/spelling.txt
$SRC/scripts/const_structs.checkpatch
$SRC/Documentation/userspace-api/ioctl/ioctl-number.rst"

missing_packages() {
	for p in $PACKAGES; do
		s=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null) || s=
		[ "$s" = installed ] || printf '%s\n' "$p"
	done
}

extracted() {
	for f in $EXTRACT; do
		# shellcheck disable=SC2086 # the glob is meant to expand
		set -- $KIPC_CACHE/$f
		[ -e "$1" ] || return 1
	done
}

missing=$(missing_packages)
if [ -n "$missing" ]; then
	echo "deps: installing: $(echo "$missing" | tr '\n' ' ')"
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: run as root (or install the packages above)" >&2
		exit 1
	fi
	apt-get update
	# shellcheck disable=SC2086 # one word per package
	DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends $missing
fi

if ! extracted; then
	tarball=
	for t in /usr/src/"$SRC".tar.*; do
		[ -e "$t" ] && tarball=$t && break
	done
	if [ -z "$tarball" ]; then
		echo "deps: /usr/src/$SRC.tar.* not found (linux-source-6.12)" >&2
		exit 1
	fi
	echo "deps: extracting kselftest harness and checkpatch from $tarball"
	mkdir -p "$KIPC_CACHE"
	# shellcheck disable=SC2086 # the patterns are tar wildcards
	tar -C "$KIPC_CACHE" -xf "$tarball" --wildcards $EXTRACT
fi
