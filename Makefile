# SPDX-License-Identifier: GPL-2.0
# dmabuf-memcg: memcg accounting of dma-buf heap buffers.
#
#   make demo      build what is missing, run the demo scenario in the VM
#   make test      build what is missing, run every test, print a summary
#   make check     checkpatch --strict over the kernel series and our C
#   make patches   export build/linux (base..HEAD) to kernel/patches/
#   make kernel    build the test kernel (kernel-debug: the debug one)
#   make bench     what accounting costs: three kernels, tables, a chart
#   make lib       libdmaheap, dmaheap and dmabuf-allocd for this machine
#   make install   install them (PREFIX=/usr/local, DESTDIR=)

BUILD    := build
KSRC     := $(BUILD)/linux
HDRS     := $(BUILD)/headers/include
GUEST    := $(BUILD)/guest
SELFTEST := $(KSRC)/tools/testing/selftests

CC       := gcc
CFLAGS   := -std=c11 -O2 -g -Wall -Wextra -Werror
GUEST_CC := $(CC) -static -isystem $(HDRS)

.PHONY: all demo test bench check patches kernel kernel-debug tree guest initramfs clean \
	lib install host-tests
all: guest lib

kernel:
	@./kernel/build
kernel-debug:
	@./kernel/build --debug
tree:
	@./kernel/build --tree-only

patches:
	@./kernel/export-series

check:
	@./tests/check

demo:
	@./demo/run

test:
	@./tests/run

bench:
	@./bench/run

# --- what goes into the VM ------------------------------------------------

TOOLS := dmaheap dmabuf-top
GUEST_PROGS := \
	$(GUEST)/usr/bin/dmabuf-allocd \
	$(GUEST)/usr/bin/dmabuf-allocd-middle \
	$(GUEST)/usr/bin/dmabuf-allocd-test \
	$(GUEST)/usr/bin/dmaheap-lib-test \
	$(GUEST)/selftests/dmabuf-heap \
	$(GUEST)/selftests/test_memcontrol \
	$(GUEST)/usr/bin/dmabuf-fuzz \
	$(GUEST)/usr/bin/dmabuf-hops \
	$(GUEST)/usr/bin/dmabuf-stock-limit \
	$(GUEST)/usr/bin/dmabuf-lifecycle \
	$(GUEST)/usr/bin/dmabuf-top-test \
	$(GUEST)/usr/bin/dmabuf-top-bench \
	$(GUEST)/usr/bin/dmabuf-bench \
	$(addprefix $(GUEST)/usr/bin/,$(TOOLS))
GUEST_SCRIPTS := $(patsubst tests/guest/%,$(GUEST)/tests/%,$(wildcard tests/guest/*)) \
	$(GUEST)/demo/scenario

guest: $(GUEST_PROGS) $(GUEST_SCRIPTS)

$(HDRS)/linux/dma-heap.h:
	./kernel/build

$(GUEST)/selftests/dmabuf-heap: $(SELFTEST)/dmabuf-heaps/dmabuf-heap.c $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) -O2 -Wall -pthread -o $@ $<

$(GUEST)/selftests/test_memcontrol: $(SELFTEST)/cgroup/test_memcontrol.c \
		$(SELFTEST)/cgroup/cgroup_util.c $(SELFTEST)/cgroup/cgroup_util.h \
		$(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) -O2 -Wall -pthread -o $@ $(filter %.c,$^) 2>&1 | \
		{ grep -v "getaddrinfo\|tcp_client" || true; }

TEST_COMMON := tests/common/cgroup.c tests/common/cgroup.h
FDPASS := tests/common/fdpass.c tests/common/fdpass.h
TAP := tests/common/tap.c tests/common/tap.h

$(GUEST)/usr/bin/dmabuf-fuzz: tests/fuzz/dmabuf-fuzz.c $(TEST_COMMON) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -pthread -o $@ $(filter %.c,$^)

$(GUEST)/usr/bin/dmabuf-hops: tests/e2e/dmabuf-hops.c $(FDPASS) $(TAP) $(TEST_COMMON) \
		$(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $(filter %.c,$^)

$(GUEST)/usr/bin/dmabuf-stock-limit: tests/e2e/stock-limit.c $(TAP) $(TEST_COMMON) \
		$(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $(filter %.c,$^)

$(GUEST)/usr/bin/dmabuf-top-test: tests/top/dmabuf-top-test.c tests/common/json.c \
		tests/common/json.h $(FDPASS) $(TAP) $(TEST_COMMON) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $(filter %.c,$^)

$(GUEST)/usr/bin/dmabuf-top-bench: bench/top-snapshot.c $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $<

$(GUEST)/usr/bin/dmabuf-bench: $(filter-out bench/top-snapshot.c bench/insn-profile.c,$(wildcard bench/*.c)) \
		bench/bench.h $(TEST_COMMON) $(GUEST_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -Ilib -o $@ $(filter %.c,$^) $(GUEST_LIB)

# bench/profile's QEMU plugin: instructions per kernel function
$(BUILD)/host/insn-profile.so: bench/insn-profile.c bench/qemu-plugin-v1.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -shared -fPIC -fvisibility=hidden -o $@ $<

$(GUEST)/usr/bin/dmabuf-lifecycle: $(wildcard tests/stress/*.c tests/stress/*.h) \
		$(TEST_COMMON) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -pthread -o $@ $(filter %.c,$^)

# libdmaheap for the guest: static, against the series' uAPI headers
LIB_SRCS := $(wildcard lib/*.c)
LIB_HDRS := $(wildcard lib/*.h)
GUEST_LIB := $(BUILD)/guest-lib/libdmaheap.a
$(BUILD)/guest-lib/%.o: lib/%.c $(LIB_HDRS) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -c -o $@ $<
$(GUEST_LIB): $(patsubst lib/%.c,$(BUILD)/guest-lib/%.o,$(LIB_SRCS))
	rm -f $@
	ar rcs $@ $^

ALLOCD_SRCS := $(wildcard allocd/*.c)
$(GUEST)/usr/bin/dmabuf-allocd: $(ALLOCD_SRCS) $(wildcard allocd/*.h) $(GUEST_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -Ilib -o $@ $(ALLOCD_SRCS) $(GUEST_LIB)

$(GUEST)/usr/bin/dmabuf-allocd-middle: tests/allocd/middle.c $(GUEST_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -Ilib -o $@ $< $(GUEST_LIB)

$(GUEST)/usr/bin/dmabuf-allocd-test: $(wildcard tests/allocd/allocd-test*.c tests/allocd/*.h) \
		$(FDPASS) $(TAP) $(TEST_COMMON) $(GUEST_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -Ilib -o $@ $(filter %.c,$^) $(GUEST_LIB)

$(GUEST)/usr/bin/dmaheap-lib-test: tests/lib/lib-test.c $(TAP) $(TEST_COMMON) $(GUEST_LIB)
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -Ilib -pthread -o $@ $(filter %.c,$^) $(GUEST_LIB)

# A tool is every C file of its directory in tools/, with libdmaheap
# (second expansion: the prerequisites depend on the target's name)
.SECONDEXPANSION:
$(GUEST)/usr/bin/%: $(HDRS)/linux/dma-heap.h $(GUEST_LIB) \
		$$(wildcard tools/$$*/*.c tools/$$*/*.h)
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -Ilib -o $@ $(wildcard tools/$*/*.c) $(GUEST_LIB)

$(GUEST)/tests/%: tests/guest/%
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(GUEST)/demo/scenario: demo/scenario
	@mkdir -p $(@D)
	install -m 0755 $< $@

# --- libdmaheap and its programs for this machine ----------------------------
#
# The shared library exports what lib/libdmaheap.map lists; the programs
# link the static one. Built against the series' uAPI headers (the
# machine's own may not know charge_pid_fd yet), which the library needs
# only for the ioctls' structures: it runs on any kernel (dmaheap_probe).

PREFIX  ?= /usr/local
DESTDIR ?=
LIBDIR  ?= $(PREFIX)/lib
HOST_LIB_VERSION := 1.0.0
HOST    := $(BUILD)/host
HOST_CC := $(CC) -isystem $(HDRS)
LIB_OBJS := $(patsubst lib/%.c,$(HOST)/lib/%.o,$(LIB_SRCS))

$(HOST)/lib/%.o: lib/%.c $(LIB_HDRS) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(HOST_CC) $(CFLAGS) -fPIC -c -o $@ $<
$(HOST)/lib/libdmaheap.a: $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $^
$(HOST)/lib/libdmaheap.so.$(HOST_LIB_VERSION): $(LIB_OBJS) lib/libdmaheap.map
	$(HOST_CC) -shared -Wl,-soname,libdmaheap.so.1 \
		-Wl,--version-script=lib/libdmaheap.map -o $@ $(LIB_OBJS)
	ln -sf $(@F) $(@D)/libdmaheap.so.1
	ln -sf $(@F) $(@D)/libdmaheap.so
$(HOST)/bin/dmaheap: $(wildcard tools/dmaheap/*.c tools/dmaheap/*.h) $(HOST)/lib/libdmaheap.a
	@mkdir -p $(@D)
	$(HOST_CC) $(CFLAGS) -Ilib -o $@ $(wildcard tools/dmaheap/*.c) $(HOST)/lib/libdmaheap.a
$(HOST)/bin/dmabuf-allocd: $(ALLOCD_SRCS) $(wildcard allocd/*.h) $(HOST)/lib/libdmaheap.a
	@mkdir -p $(@D)
	$(HOST_CC) $(CFLAGS) -Ilib -o $@ $(ALLOCD_SRCS) $(HOST)/lib/libdmaheap.a

HOST_LIB := $(HOST)/lib/libdmaheap.a $(HOST)/lib/libdmaheap.so.$(HOST_LIB_VERSION)
lib: $(HOST_LIB) $(HOST)/bin/dmaheap $(HOST)/bin/dmabuf-allocd

install: lib
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(PREFIX)/include \
		$(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin \
		$(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 0644 $(HOST)/lib/libdmaheap.a $(DESTDIR)$(LIBDIR)/
	install -m 0755 $(HOST)/lib/libdmaheap.so.$(HOST_LIB_VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libdmaheap.so.$(HOST_LIB_VERSION) $(DESTDIR)$(LIBDIR)/libdmaheap.so.1
	ln -sf libdmaheap.so.1 $(DESTDIR)$(LIBDIR)/libdmaheap.so
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@VERSION@|$(HOST_LIB_VERSION)|' lib/libdmaheap.pc.in \
		> $(DESTDIR)$(LIBDIR)/pkgconfig/libdmaheap.pc
	install -m 0644 lib/dmaheap.h lib/dmabuf-allocd.h $(DESTDIR)$(PREFIX)/include/
	install -m 0755 $(HOST)/bin/dmaheap $(DESTDIR)$(PREFIX)/bin/
	install -m 0755 $(HOST)/bin/dmabuf-allocd $(DESTDIR)$(PREFIX)/sbin/
	sed 's|@SBINDIR@|$(PREFIX)/sbin|' allocd/dmabuf-allocd.service.in \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/dmabuf-allocd.service
	install -m 0644 allocd/dmabuf-allocd.socket $(DESTDIR)$(PREFIX)/lib/systemd/system/
	for m in man/man*/*.[0-9]; do \
		install -D -m 0644 $$m $(DESTDIR)$(PREFIX)/share/$$m || exit 1; \
	done
	@# the dynamic linker's cache, when installing for this machine
	if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then ldconfig; fi

# --- tests that run on the host -------------------------------------------

# libdmaheap's unit tests (no kernel needed: the wire format against a
# fake service, fdinfo parsing), the dmaheap command's parsing, the
# service's request checks
HOST_TESTS := $(HOST)/dmaheap-unit-test $(HOST)/dmaheap-cli-test $(HOST)/allocd-unit-test
host-tests: $(HOST_TESTS)
$(HOST)/dmaheap-unit-test: $(wildcard tests/lib/unit-test*.c tests/lib/*.h) $(TAP) \
		$(HOST)/lib/libdmaheap.a
	$(HOST_CC) $(CFLAGS) -Ilib -pthread -o $@ $(filter %.c,$^) $(HOST)/lib/libdmaheap.a
$(HOST)/dmaheap-cli-test: tests/dmaheap/cli-test.c $(TAP) \
		$(filter-out tools/dmaheap/main.c,$(wildcard tools/dmaheap/*.c)) \
		$(wildcard tools/dmaheap/*.h) $(HOST)/lib/libdmaheap.a
	$(HOST_CC) $(CFLAGS) -Ilib -Itools/dmaheap -o $@ $(filter %.c,$^) $(HOST)/lib/libdmaheap.a
$(HOST)/allocd-unit-test: $(wildcard tests/allocd/unit-test*.c) $(TAP) \
		$(filter-out allocd/main.c,$(ALLOCD_SRCS)) $(wildcard allocd/*.h) \
		$(HOST)/lib/libdmaheap.a
	$(HOST_CC) $(CFLAGS) -Ilib -Iallocd -o $@ $(filter %.c,$^) $(HOST)/lib/libdmaheap.a

TOP_LIB := $(filter-out tools/dmabuf-top/main.c,$(wildcard tools/dmabuf-top/*.c))
$(BUILD)/host/dmabuf-top-account-test: tests/top/account-test.c $(TAP) $(TOP_LIB) \
		$(wildcard tools/dmabuf-top/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $(filter %.c,$^)

# --- the initramfs: busybox, /init and the guest tree --------------------

$(BUILD)/tools/gen_init_cpio: $(KSRC)/usr/gen_init_cpio.c
	@mkdir -p $(@D)
	$(CC) -O2 -o $@ $<

$(BUILD)/initramfs/list: vm/init $(GUEST_PROGS) $(GUEST_SCRIPTS) vm/initramfs-list
	@mkdir -p $(@D)
	./vm/initramfs-list $(GUEST) > $@

$(BUILD)/initramfs/base.cpio: $(BUILD)/initramfs/list $(BUILD)/tools/gen_init_cpio
	$(BUILD)/tools/gen_init_cpio $< > $@

initramfs: $(BUILD)/initramfs/base.cpio

clean:
	rm -rf $(BUILD)/guest $(BUILD)/initramfs $(BUILD)/tools $(BUILD)/guest-lib \
		$(BUILD)/host
