# SPDX-License-Identifier: GPL-2.0
# Shell helpers shared by the build, the VM runner and the test driver:
# paths, package installation and progress lines for slow steps.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${DMABUF_BUILD_DIR:-$TOP/build}
KSRC=$BUILD/linux
PATCHES=${DMABUF_PATCHES:-$TOP/kernel/patches}

die() { printf 'error: %s\n' "$*" >&2; exit 1; }
note() { printf '%s\n' "$*" >&2; }

# What building and booting the test kernel takes, on top of a Debian 12
# base system. rsync is for the kernel's headers_install.
KERNEL_PACKAGES=(linux-source-6.12 build-essential bc flex bison libelf-dev
	libssl-dev cpio rsync ccache busybox-static qemu-system-x86 git xz-utils)

# ensure_packages PKG...: install the Debian packages that are missing.
ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (run as root or install): ${missing[*]}"
	run_step "installing ${missing[*]}" "$BUILD/apt.log" \
		sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' \
		apt "${missing[@]}"
}

# run_step MESSAGE LOG CMD...: run CMD with its output in LOG and show one
# progress line with the elapsed seconds on stderr; animate it only on a
# tty. On failure print the end of LOG and return CMD's status.
run_step() {
	local msg=$1 log=$2 start rc pid
	shift 2
	mkdir -p "$(dirname "$log")"
	start=$(date +%s)
	if [ -t 2 ]; then
		"$@" >"$log" 2>&1 &
		pid=$!
		while kill -0 "$pid" 2>/dev/null; do
			printf '\r%s... %ds' "$msg" $(($(date +%s) - start)) >&2
			sleep 1
		done
		wait "$pid"
		rc=$?
		printf '\r' >&2
	else
		printf '%s...\n' "$msg" >&2
		"$@" >"$log" 2>&1
		rc=$?
	fi
	if [ "$rc" -eq 0 ]; then
		printf '%s... done (%d s)\n' "$msg" $(($(date +%s) - start)) >&2
	else
		printf '%s... FAILED (%d s), last lines of %s:\n' "$msg" \
			$(($(date +%s) - start)) "$log" >&2
		tail -n 40 "$log" >&2
	fi
	return "$rc"
}
