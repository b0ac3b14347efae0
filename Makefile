# SPDX-License-Identifier: GPL-2.0
# dmabuf-memcg: memcg accounting of dma-buf heap buffers.
#
#   make demo      build what is missing, run the demo scenario in the VM
#   make test      build what is missing, run every test, print a summary
#   make check     checkpatch --strict over the kernel series and our C
#   make patches   export build/linux (base..HEAD) to kernel/patches/
#   make kernel    build the test kernel (kernel-debug: the debug one)

BUILD    := build
KSRC     := $(BUILD)/linux
HDRS     := $(BUILD)/headers/include
GUEST    := $(BUILD)/guest
SELFTEST := $(KSRC)/tools/testing/selftests

CC       := gcc
CFLAGS   := -std=c11 -O2 -g -Wall -Wextra -Werror
GUEST_CC := $(CC) -static -isystem $(HDRS)

.PHONY: all demo test check patches kernel kernel-debug tree guest initramfs clean
all: guest

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

# --- what goes into the VM ------------------------------------------------

TOOLS := dmabuf-alloc dmabuf-top
GUEST_PROGS := \
	$(GUEST)/selftests/dmabuf-heap \
	$(GUEST)/selftests/test_memcontrol \
	$(GUEST)/usr/bin/dmabuf-fuzz \
	$(GUEST)/usr/bin/dmabuf-hops \
	$(GUEST)/usr/bin/dmabuf-lifecycle \
	$(GUEST)/usr/bin/dmabuf-top-test \
	$(GUEST)/usr/bin/dmabuf-top-bench \
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

$(GUEST)/usr/bin/dmabuf-fuzz: tests/fuzz/dmabuf-fuzz.c $(TEST_COMMON) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -pthread -o $@ $(filter %.c,$^)

$(GUEST)/usr/bin/dmabuf-hops: tests/e2e/dmabuf-hops.c $(FDPASS) $(TEST_COMMON) \
		$(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $(filter %.c,$^)

$(GUEST)/usr/bin/dmabuf-top-test: tests/top/dmabuf-top-test.c tests/common/json.c \
		tests/common/json.h $(FDPASS) $(TEST_COMMON) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $(filter %.c,$^)

$(GUEST)/usr/bin/dmabuf-top-bench: bench/top-snapshot.c $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $<

$(GUEST)/usr/bin/dmabuf-lifecycle: $(wildcard tests/stress/*.c tests/stress/*.h) \
		$(TEST_COMMON) $(HDRS)/linux/dma-heap.h
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -pthread -o $@ $(filter %.c,$^)

# A tool is every C file of its directory in tools/ (second expansion: the
# prerequisites depend on the target's name)
.SECONDEXPANSION:
$(GUEST)/usr/bin/%: $(HDRS)/linux/dma-heap.h $$(wildcard tools/$$*/*.c tools/$$*/*.h)
	@mkdir -p $(@D)
	$(GUEST_CC) $(CFLAGS) -o $@ $(wildcard tools/$*/*.c)

$(GUEST)/tests/%: tests/guest/%
	@mkdir -p $(@D)
	install -m 0755 $< $@

$(GUEST)/demo/scenario: demo/scenario
	@mkdir -p $(@D)
	install -m 0755 $< $@

# --- tests that run on the host -------------------------------------------

TOP_LIB := $(filter-out tools/dmabuf-top/main.c,$(wildcard tools/dmabuf-top/*.c))
$(BUILD)/host/dmabuf-top-account-test: tests/top/account-test.c $(TOP_LIB) \
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
	rm -rf $(BUILD)/guest $(BUILD)/initramfs $(BUILD)/tools
