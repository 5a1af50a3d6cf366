# mk/lab.mk — the build of one lab; every labs/NN-name/Makefile includes it.
#
# A lab Makefile sets a few variables (all optional) and includes this file:
#
#   LIB_NAME            library name (default: the word after NN-, e.g. "pin")
#   LIB_SRCS            library sources (default: src/*.c)
#   LIB_CFLAGS          extra compile flags for every C file of the lab
#   LIB_LDLIBS          libraries the lab's code needs (e.g. -luring)
#   TEST_LDLIBS         extra libraries for test binaries
#   TEST_SUPPORT_SRCS   shared test helpers (default: tests/*.c not named test_*.c)
#   TOOL_LDLIBS         extra libraries for the CLI programs (cli/X.c or cli/X/*.c)
#   BENCH_LDLIBS        peer libraries for the bench binary (bench/*.c)
#   BENCH_BASELINES     variant names that are baselines in the ratio table
#   BENCH_ARGS          extra --benchmark_* flags for make bench (the lab's own: a
#                       command-line BENCH_ARGS replaces them)
#   BENCH_FILTER        (command line) a --benchmark_filter regex added to the lab's
#                       BENCH_ARGS, e.g. make bench BENCH_FILTER='^echo/(libuv|libev)/'
#   FREESTANDING_SRCS   sources that must build with -ffreestanding -nostdlib
#   FREESTANDING_EXTERNS  symbols those sources may leave undefined (callbacks)
#   TAP_SUITES          names of extra test suites that print TAP ("ok N - name");
#                       each with TAP_CMD_<name> (command) and TAP_DEPS_<name> (files)
#   DEMO                the command make demo runs (the lab's real-world outcome)
#   FUZZ_SECONDS        how long make fuzz runs each fuzz/X.c target (default 30)
#
# Everything is built under build/<cfg>/labs/NN-name/ (see mk/config.mk). Targets:
# all check bench demo grade clean deps suites freestanding, and handout/progress,
# which are handed to the top level for this lab.

DEPS_GATE := deps-auto
include $(dir $(lastword $(MAKEFILE_LIST)))common.mk

# LAB is the top level's selector (LAB=03); inside a lab the name is LAB_ID.
LAB_ID   ?= $(notdir $(CURDIR))
LAB_DIR  := $(CURDIR)
B        := $(CFG_DIR)/labs/$(LAB_ID)
LIB_NAME ?= $(or $(word 2,$(subst -, ,$(LAB_ID))),$(LAB_ID))

LIB_SRCS          ?= $(wildcard src/*.c)
LIB               := $(if $(strip $(LIB_SRCS)),$(B)/lib$(LIB_NAME).a)
TESTS             ?= $(wildcard tests/test_*.c)
TEST_SUPPORT_SRCS ?= $(filter-out tests/test_%.c,$(wildcard tests/*.c))
FAIL_TESTS        ?= $(wildcard tests/fail/*.c)
BENCH_SRCS        ?= $(wildcard bench/*.c)
TOOL_FILES        := $(wildcard cli/*.c)
TOOL_DIRS         := $(patsubst %/,%,$(dir $(wildcard cli/*/*.c)))
TOOL_NAMES        := $(sort $(basename $(notdir $(TOOL_FILES))) $(notdir $(TOOL_DIRS)))
TOOLS             := $(addprefix $(B)/bin/,$(TOOL_NAMES))
TEST_BINS         := $(patsubst %.c,$(B)/tests/%,$(notdir $(TESTS)))
BENCH_BIN         := $(if $(BENCH_SRCS),$(B)/bench/bench_$(LIB_NAME))
TEST_TIMEOUT      ?= 600
VALGRIND          ?= 0

INC := -I$(LAB_DIR)/include -I$(LAB_DIR)/src $(COMMON_INC)
LAB_CFLAGS = $(CFLAGS_ALL) $(INC) $(LIB_CFLAGS)

obj = $(patsubst %.c,$(B)/obj/%.o,$(1))
LIB_OBJS      := $(call obj,$(LIB_SRCS))
SUPPORT_OBJS  := $(call obj,$(TEST_SUPPORT_SRCS))
BENCH_OBJS    := $(call obj,$(BENCH_SRCS))
FS_OBJS       := $(patsubst %.c,$(B)/freestanding/%.o,$(FREESTANDING_SRCS))

.DEFAULT_GOAL := all
.PHONY: all lib tests tools benchbin check bench demo grade clean deps suites \
        freestanding handout progress fuzz
.SECONDARY:

all: deps-auto lib tools tests benchbin
lib: $(LIB)
tools: $(TOOLS)
# Everything the tests run: their binaries, and the lab's programs (CLI tests exec them).
tests: $(TEST_BINS) $(TOOLS) $(FS_OBJS) $(foreach s,$(TAP_SUITES),$(TAP_DEPS_$(s))) suites
benchbin: $(BENCH_BIN)

# --- compile and link --------------------------------------------------------------
$(B)/flags.stamp: course-force
	$(call flags_stamp,$(CC) $(LAB_CFLAGS) $(BENCH_INC))
$(B)/freestanding/flags.stamp: course-force
	$(call flags_stamp,$(CC) $(FREESTANDING_CFLAGS) $(LIB_CFLAGS))

$(B)/obj/%.o: %.c $(B)/flags.stamp | deps-auto
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $(LAB_ID)/$<")
	$(Q)$(CC) $(LAB_CFLAGS) $(DEPFLAGS) $(if $(filter bench/%,$<),$(BENCH_INC)) -c $< -o $@

ifneq ($(LIB),)
$(LIB): $(LIB_OBJS)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  AR      $(notdir $@)")
	$(Q)rm -f $@ && ar rcs $@ $^
endif

define test_rule
$(B)/tests/$(basename $(notdir $(1))): $(call obj,$(1)) $(SUPPORT_OBJS) $(LIB) $(LIBCOMMON) $(TEST_HARNESS)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $(LAB_ID)/tests/$$(@F)")
	$$(Q)$$(CC) $$(LDFLAGS_ALL) -o $$@ $$< $$(SUPPORT_OBJS) $$(TEST_HARNESS) $$(LIB) $$(LIBCOMMON) \
	    $$(TEST_LDLIBS) $$(LIB_LDLIBS) $$(TEST_LIBS)
endef
$(foreach t,$(TESTS),$(eval $(call test_rule,$(t))))

define tool_rule
$(B)/bin/$(1): $(call obj,$(or $(wildcard cli/$(1).c),$(wildcard cli/$(1)/*.c))) $(LIB) $(LIBCOMMON)
	@mkdir -p $$(@D)
	@$$(if $$(Q),echo "  LD      $(LAB_ID)/bin/$(1)")
	$$(Q)$$(CC) $$(LDFLAGS_ALL) -o $$@ $$(filter %.o,$$^) $(LIB) $(LIBCOMMON) $$(TOOL_LDLIBS) $$(LIB_LDLIBS) -lm
endef
$(foreach t,$(TOOL_NAMES),$(eval $(call tool_rule,$(t))))

$(BENCH_BIN): $(BENCH_OBJS) $(LIB) $(LIBCOMMON) $(BENCH_SHIM)
	@mkdir -p $(@D)
	@$(if $(Q),echo "  LD      $(LAB_ID)/bench/$(notdir $@)")
	$(Q)$(CXX) $(LDFLAGS_ALL) -o $@ $(BENCH_OBJS) $(BENCH_SHIM) $(LIB) $(LIBCOMMON) \
	    $(BENCH_LDLIBS) $(LIB_LDLIBS) $(BENCH_LIBS) -lm

$(B)/freestanding/%.o: %.c $(B)/freestanding/flags.stamp | deps-auto
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $(LAB_ID)/$< (freestanding)")
	$(Q)$(CC) $(FREESTANDING_CFLAGS) $(DEPFLAGS) -I$(LAB_DIR)/include -I$(LAB_DIR)/src $(LIB_CFLAGS) -c $< -o $@

-include $(LIB_OBJS:.o=.d) $(SUPPORT_OBJS:.o=.d) $(BENCH_OBJS:.o=.d) $(FS_OBJS:.o=.d) \
         $(patsubst %.o,%.d,$(call obj,$(TESTS) $(TOOL_FILES) $(wildcard cli/*/*.c)))

# --- the list of test suites, read by tools/run-tests, the grader and progress ------
# One line per suite: "cmocka BIN", "fail FILE", "tap NAME COMMAND". "failcc CMD" gives
# the compiler command for compile-fail files.
FAIL_CC = $(CC) $(CSTD) $(WARNINGS) $(HOSTDEFS) -fsyntax-only $(INC) $(LIB_CFLAGS)
# In the learner edition, stubbed regions call course_todo, which the host defines.
FS_ALLOWED = $(sort $(FREESTANDING_EXTERNS) $(if $(filter 1,$(HANDOUT)),course_todo))
FS_CHECK = $(PY) $(TOP)/tools/freestanding-check --lab $(LAB_ID) \
           $(foreach e,$(FS_ALLOWED),--allow $(e)) $(FS_OBJS)
SUITES_FILE := $(B)/suites.txt
suites:
	$(shell mkdir -p $(B))
	$(file >$(SUITES_FILE),lab $(LAB_ID) $(LAB_DIR))
	$(file >>$(SUITES_FILE),failcc $(FAIL_CC))
	$(foreach t,$(TEST_BINS),$(file >>$(SUITES_FILE),cmocka $(t)))
	$(foreach f,$(FAIL_TESTS),$(file >>$(SUITES_FILE),fail $(LAB_DIR)/$(f)))
	$(if $(FS_OBJS),$(file >>$(SUITES_FILE),tap freestanding $(FS_CHECK)))
	$(foreach s,$(TAP_SUITES),$(file >>$(SUITES_FILE),tap $(s) $(TAP_CMD_$(s))))
	@true

RUN_WRAP := $(if $(filter 1,$(VALGRIND)),--wrap "valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite --track-origins=yes")
check: deps-auto tests tools
	$(Q)$(PY) $(TOP)/tools/run-tests --timeout $(TEST_TIMEOUT) $(RUN_WRAP) \
	    --report $(B)/check.json $(SUITES_FILE)

freestanding: $(FS_OBJS)
	$(Q)$(if $(FS_OBJS),$(FS_CHECK),echo "$(LAB_ID): no FREESTANDING_SRCS")

# --- bench, demo, grade --------------------------------------------------------------
bench: deps-auto $(BENCH_BIN)
	$(Q)$(if $(BENCH_BIN),$(PY) $(TOP)/tools/bench-report --run $(BENCH_BIN) \
	    --json $(BUILD)/bench/$(LAB_ID).json $(addprefix --baseline ,$(BENCH_BASELINES)) \
	    -- $(BENCH_ARGS) $(if $(BENCH_FILTER),'--benchmark_filter=$(BENCH_FILTER)'),echo "$(LAB_ID): no benches")

demo: deps-auto lib tools
	$(Q)$(if $(DEMO),$(DEMO),echo "$(LAB_ID): no demo yet")

grade: deps-auto
	$(Q)$(PY) $(TOP)/tools/grade --out $(BUILD)/results.json $(LAB_DIR)

handout progress:
	$(Q)$(MAKE) --no-print-directory -C $(TOP) $@ LAB=$(LAB_ID)

# --- fuzzing: each fuzz/X.c defines LLVMFuzzerTestOneInput; built with clang's libFuzzer
# plus ASan/UBSan from the lab's sources directly, run for FUZZ_SECONDS each with a corpus
# under build/fuzz/ (seeded from fuzz/corpus/X/ when present). Needs clang and
# libclang-rt-14-dev: a lab with fuzz targets lists them in its deps.
FUZZ_SRCS    ?= $(wildcard fuzz/*.c)
FUZZ_SECONDS ?= 30
FUZZ_OUT     := $(BUILD)/fuzz/$(LAB_ID)
FUZZ_BINS    := $(patsubst fuzz/%.c,$(FUZZ_OUT)/%,$(FUZZ_SRCS))
FUZZ_FLAGS    = $(CSTD) -O1 -g $(WARNINGS) $(HOSTDEFS) $(INC) $(LIB_CFLAGS) \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
# libcommon is built the same way, as an archive, since the lab's code may call it.
FUZZ_COMMON := $(BUILD)/fuzz/common/libcommon.a
FUZZ_COMMON_OBJS := $(patsubst $(COMMON_DIR)/src/%.c,$(BUILD)/fuzz/common/%.o,$(COMMON_SRCS))
$(BUILD)/fuzz/common/%.o: $(COMMON_DIR)/src/%.c | deps-auto
	@mkdir -p $(@D)
	$(Q)clang $(FUZZ_FLAGS) -c $< -o $@
$(FUZZ_COMMON): $(FUZZ_COMMON_OBJS)
	$(Q)rm -f $@ && ar rcs $@ $^
$(FUZZ_OUT)/%: fuzz/%.c $(LIB_SRCS) $(FUZZ_COMMON) | deps-auto
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZ-CC $(LAB_ID)/$<")
	$(Q)clang $(FUZZ_FLAGS) -o $@ $< $(LIB_SRCS) $(FUZZ_COMMON) $(LIB_LDLIBS) -lm
fuzz: $(FUZZ_BINS)
	$(Q)$(if $(FUZZ_BINS),set -e; for f in $(FUZZ_BINS); do n=$$(basename $$f); \
	  mkdir -p $(FUZZ_OUT)/$$n-corpus; echo "== fuzz $$n for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 $(FUZZ_OUT)/$$n-corpus \
	    $$( [ -d fuzz/corpus/$$n ] && echo fuzz/corpus/$$n ); done,echo "$(LAB_ID): no fuzz targets")

# --- set-up and housekeeping ----------------------------------------------------------
# deps-auto installs what is missing (as root) or says the command; DEPS_DONE=1 skips it
# (the top level has already checked every lab).
# Tagged packages (deps lines starting "bench:" or "fuzz:") only for those goals.
DEPS_TAGS = $(or $(subst $(space),$(comma),$(strip $(filter bench fuzz,$(MAKECMDGOALS)))),none)
deps:
	$(Q)$(TOP)/tools/deps --install $(LAB_DIR)
deps-auto:
	$(Q)$(if $(filter 1,$(DEPS_DONE)),true,CC='$(CC)' $(TOP)/tools/deps --auto --tags $(DEPS_TAGS) $(LAB_DIR))

clean:
	rm -rf $(BUILD)/*/labs/$(LAB_ID) $(BUILD)/bench/$(LAB_ID).json

print-%:
	@echo '$($*)'
