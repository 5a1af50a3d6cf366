# mk/common.mk — how libcommon, the test harness and the bench shim are built.
#
# Included by mk/lab.mk and by the top-level test Makefile, so that any lab builds
# them on demand into its configuration's folder (build/<cfg>/common, .../bench).

ifndef COURSE_COMMON_MK
COURSE_COMMON_MK := 1
include $(dir $(lastword $(MAKEFILE_LIST)))config.mk

COMMON_DIR      := $(TOP)/common
COMMON_OUT      := $(CFG_DIR)/common
COMMON_SRCS     := $(filter-out %/test_harness.c %/alloc_count.c,$(wildcard $(COMMON_DIR)/src/*.c))
COMMON_OBJS     := $(patsubst $(COMMON_DIR)/src/%.c,$(COMMON_OUT)/%.o,$(COMMON_SRCS))
LIBCOMMON       := $(COMMON_OUT)/libcommon.a
# Linked into every test binary: the cmocka harness and the malloc counter.
TEST_HARNESS    := $(COMMON_OUT)/test_harness.o $(COMMON_OUT)/alloc_count.o
COMMON_INC      := -I$(COMMON_DIR)/include
TEST_LIBS       := -lcmocka -ldl -lpthread -lm

SHIM_OUT        := $(CFG_DIR)/bench
BENCH_SHIM      := $(SHIM_OUT)/shim.o $(SHIM_OUT)/main.o
BENCH_INC       := -I$(TOP)/bench/include
BENCH_LIBS      := -lbenchmark -lpthread

# Objects depend on a stamp that changes only when the flags do, so editing mk/ (or
# passing EXTRA_CFLAGS) rebuilds what it affects and nothing else.
.PHONY: course-force
define flags_stamp
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(1))' | cmp -s - $@ || printf '%s\n' '$(subst ','\'',$(1))' > $@
endef
$(COMMON_OUT)/flags.stamp: course-force
	$(call flags_stamp,$(CC) $(CFLAGS_ALL) $(CXX) $(CXXFLAGS_ALL))

$(COMMON_OUT)/%.o: $(COMMON_DIR)/src/%.c $(COMMON_OUT)/flags.stamp | $(DEPS_GATE)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      common/$*.c")
	$(Q)$(CC) $(CFLAGS_ALL) $(DEPFLAGS) $(COMMON_INC) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJS)
	@$(if $(Q),echo "  AR      $(notdir $@)")
	$(Q)rm -f $@ && ar rcs $@ $^

$(SHIM_OUT)/shim.o: $(TOP)/bench/src/shim.cc $(TOP)/bench/include/bench.h $(COMMON_OUT)/flags.stamp | $(DEPS_GATE)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CXX     bench/shim.cc")
	$(Q)$(CXX) $(CXXFLAGS_ALL) $(BENCH_INC) -c $< -o $@

$(SHIM_OUT)/main.o: $(TOP)/bench/src/main.c $(TOP)/bench/include/bench.h $(COMMON_OUT)/flags.stamp
	@mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS_ALL) $(BENCH_INC) -c $< -o $@

-include $(COMMON_OBJS:.o=.d) $(TEST_HARNESS:.o=.d)
endif
