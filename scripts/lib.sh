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

# Building another commit of build/linux (tests/bisect, bench/kernels).
# kbuild records absolute paths of the sources and the output, so a build
# stays valid only under the same paths: kbuild_at runs make in a private
# mount namespace in which the worktree SRC and the output OUT are mounted
# over build/linux and build/kernel (the real ones are not touched), and
# then rebuilds only what differs from the normal kernel's build, which
# kbuild_seed copied to OUT. That needs root (CAP_SYS_ADMIN); without it
# (kbuild_same_paths fails) the build runs in SRC and OUT themselves, from
# scratch, much slower.
kbuild_same_paths() {
	unshare -m sh -c 'mount --bind "$1" "$1"' sh "$BUILD" 2>/dev/null
}

# kbuild_seed SRC OUT: make OUT a copy of the normal kernel's build of
# build/linux's HEAD, and check that commit out in the worktree SRC (made
# if missing). When build/linux has no uncommitted changes that build
# matches the worktree exactly, and making the worktree's files older than
# its objects lets make see that; else make rebuilds, from ccache.
kbuild_seed() {
	local src=$1 out=$2
	if [ ! -e "$src/.git" ]; then
		rm -rf "$src"
		git -C "$KSRC" worktree prune
		git -C "$KSRC" worktree add -q --detach "$src" HEAD || return 1
	fi
	git -C "$src" checkout -q --force --detach "$(git -C "$KSRC" rev-parse HEAD)" ||
		return 1
	rm -rf "$out"
	if ! kbuild_same_paths; then
		mkdir -p "$out" && cp "$BUILD/kernel/.config" "$out/"
		return
	fi
	cp -a "$BUILD/kernel" "$out" || return 1
	if [ -z "$(git -C "$KSRC" status --porcelain --untracked-files=no)" ]; then
		git -C "$src" ls-files -z |
			(cd "$src" && xargs -0 touch -h -d 2000-01-01T00:00:00Z)
	fi
}

# kbuild_at SRC OUT TARGET...: make TARGETs of the worktree SRC in OUT.
kbuild_at() {
	local src=$1 out=$2
	shift 2
	if ! kbuild_same_paths; then
		make -C "$src" O="$out" -j"$(nproc)" \
			CC="ccache gcc" HOSTCC="ccache gcc" "$@"
		return
	fi
	unshare -m sh -c '
		mount --bind "$1" "$2" && mount --bind "$3" "$4" || exit 1
		shift 4
		exec make "$@"' sh "$src" "$KSRC" "$out" "$BUILD/kernel" \
		-C "$KSRC" O="$BUILD/kernel" -j"$(nproc)" \
		CC="ccache gcc" HOSTCC="ccache gcc" "$@"
}

# kernel_id COMMIT: what makes a kernel image of build/linux's COMMIT the
# one to reuse: its source tree and the config fragment it was built with.
kernel_id() {
	printf '%s %s\n' "$(git -C "$KSRC" rev-parse "$1^{tree}")" \
		"$(sha1sum <"$TOP/kernel/config" | cut -d' ' -f1)"
}
