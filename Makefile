# Top-level Makefile of the course: every target runs over every lab present, in
# course order, or over one lab with LAB=03 (or LAB=03-arena, LAB=capstone).
#
#   make            build every lab          make check     machinery tests + every lab's tests
#   make demo       every lab's outcome      make bench     every lab's benches + ratio tables
#   make grade      scores + build/results.json (Gradescope)
#   make handout    learner edition in build/handout (OUT=dir to choose)
#   make progress   one line per lab: tests passed / total, and the next lab to do
#   make deps       install the Debian packages the present labs need
#   make compdb     compile_commands.json (bear)      make clean     remove build/
#
# Knobs honoured everywhere (see mk/config.mk): SAN=address,undefined | SAN=thread,
# CC=clang, O=0, V=1. Build output goes under build/ only.

include mk/config.mk

ALL_LAB_DIRS := $(patsubst %/Makefile,%,$(sort $(wildcard labs/[0-9][0-9]-*/Makefile))) \
                $(patsubst %/Makefile,%,$(wildcard capstone/Makefile))
ifneq ($(strip $(LAB)),)
LAB_DIRS := $(strip $(foreach d,$(ALL_LAB_DIRS),$(if $(filter $(LAB) $(LAB)-%,$(notdir $(d))),$(d))))
ifeq ($(LAB_DIRS),)
$(error LAB=$(LAB) matches no lab here; present: $(notdir $(ALL_LAB_DIRS)))
endif
else
LAB_DIRS := $(ALL_LAB_DIRS)
endif
LAB_IDS := $(notdir $(LAB_DIRS))
SUB     := $(MAKE) --no-print-directory DEPS_DONE=1

.PHONY: all check check-machinery bench demo grade handout progress deps deps-auto \
        compdb clean format lint autograder
.DEFAULT_GOAL := all

deps:
	$(Q)tools/deps --install . $(LAB_DIRS)
DEPS_TAGS = $(or $(subst $(space),$(comma),$(strip $(filter bench fuzz,$(MAKECMDGOALS)))),none)
deps-auto:
	$(Q)CC='$(CC)' tools/deps --auto --tags $(DEPS_TAGS) . $(LAB_DIRS)

all: deps-auto
	$(Q)set -e; for d in $(LAB_DIRS); do $(SUB) -C $$d all; done

# check runs everything, even after a failure, and ends with one summary line.
check: deps-auto
	$(Q)rm -f $(CFG_DIR)/labs/*/check.json
	$(Q)rc=0; \
	$(if $(LAB),,printf '\n=== common (libcommon)\n'; $(SUB) -C common check || rc=1; \
	  printf '\n=== machinery (tools, grader, handout)\n'; $(SUB) -C tests check || rc=1;) \
	for d in $(LAB_DIRS); do \
	  printf '\n=== %s\n' "$$d"; $(SUB) -C $$d check || rc=1; \
	done; \
	$(PY) tools/run-tests --summary $(if $(LAB),,$(CFG_DIR)/labs/common/check.json $(CFG_DIR)/labs/machinery/check.json) \
	    $(foreach l,$(LAB_IDS),$(CFG_DIR)/labs/$(l)/check.json) || rc=1; \
	exit $$rc

check-machinery: deps-auto
	$(Q)$(SUB) -C common check && $(SUB) -C tests check

bench: deps-auto
	$(Q)rc=0; for d in $(LAB_DIRS); do printf '\n=== %s\n' "$$d"; $(SUB) -C $$d bench || rc=1; done; exit $$rc

demo: deps-auto
	$(Q)rc=0; for d in $(LAB_DIRS); do \
	  printf '\n=== %s: %s\n' "$$(basename $$d)" "$$(sed -n '1s/^# *//p' $$d/README.md 2>/dev/null)"; \
	  $(SUB) -C $$d demo || rc=1; \
	done; exit $$rc

grade: deps-auto
	$(Q)$(PY) tools/grade --out $(BUILD)/results.json $(LAB_DIRS)

handout:
	$(Q)$(PY) tools/handout --out $(or $(OUT),$(BUILD)/handout) $(if $(LAB),--lab $(LAB_IDS))

progress: deps-auto
	$(Q)$(PY) tools/progress $(LAB_DIRS)

autograder:
	$(Q)$(PY) tools/gradescope/make-zip --out $(BUILD)/autograder.zip

# compile_commands.json for clangd and clang-tidy; -k so one broken lab does not hide
# the others' commands (make still fails if something did not build).
compdb: deps-auto
	$(Q)bear --output compile_commands.json -- $(MAKE) -k -B check-build

# Builds libraries, tools, tests and benches of the machinery and every lab.
.PHONY: check-build
check-build:
	$(Q)rc=0; for d in common tests $(LAB_DIRS); do $(SUB) -k -C $$d all tests || rc=1; done; exit $$rc

# Style and static analysis (CONVENTIONS.md): clang-format, cppcheck, clang-tidy.
# cppcheck reads -DNAME='"string"' from compile_commands.json without its quotes and
# then reports syntax errors the compiler never sees: those two ids are suppressed
# (real syntax errors fail the build first).
LINT_C     = $(shell git ls-files '*.c' '*.h' '*.cc' 2>/dev/null)
format:
	clang-format -i $(LINT_C)
lint: compdb
	@echo "  LINT    clang-format"
	$(Q)clang-format --dry-run -Werror $(LINT_C)
	@echo "  LINT    cppcheck"
	$(Q)cppcheck --quiet --std=c11 --enable=warning,performance,portability --error-exitcode=1 \
	    --inline-suppr --suppress=missingIncludeSystem --suppress=syntaxError \
	    --suppress=internalAstError --project=compile_commands.json
	@echo "  LINT    clang-tidy (log: build/clang-tidy.log)"
	@# Freestanding and kernel objects are built against GCC's own headers (-nostdinc),
	@# which clang cannot parse: clang-tidy reads the hosted compile commands only.
	$(Q)mkdir -p build/tidy && $(PY) -c 'import json,sys; d=json.load(open("compile_commands.json")); \
	    json.dump([e for e in d if "-nostdinc" not in " ".join(e.get("arguments") or [e.get("command","")])], \
	    open("build/tidy/compile_commands.json","w"))'
	$(Q)run-clang-tidy -quiet -p build/tidy $(filter %.c,$(LINT_C)) >build/clang-tidy.log 2>&1 \
	    || { grep -E 'warning|error' build/clang-tidy.log | head -50; exit 1; }

clean:
	rm -rf $(BUILD) compile_commands.json
