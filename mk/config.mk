# mk/config.mk — toolchain flags, held once for the whole repository.
#
# Every Makefile (top level, each lab, tests/) includes this file first. It turns the
# user-facing knobs (CC, O, SAN, V) into flags and picks a build folder per
# configuration, so a sanitizer build never links objects from a plain one.

ifndef COURSE_CONFIG_MK
COURSE_CONFIG_MK := 1

TOP   := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))/..)
BUILD ?= $(TOP)/build
PY    ?= python3

# --- knobs -----------------------------------------------------------------------
# O: optimisation level (O=0 is a debug build). SAN: sanitizers, e.g. address,undefined
# or thread. V=1 shows commands. CC=clang switches compilers; CXX follows it.
O   ?= 2
SAN ?=
V   ?= 0
ifeq ($(origin CC),default)
CC := gcc
endif
ifeq ($(origin CXX),default)
CXX := $(if $(findstring clang,$(CC)),clang++,g++)
endif

comma := ,
empty :=
space := $(empty) $(empty)

# One build folder per configuration: build/gcc, build/gcc-O0, build/clang-address+undefined...
CFG := $(notdir $(firstword $(CC)))$(if $(filter-out 2,$(O)),-O$(O))$(if $(SAN),-$(subst $(comma),+,$(SAN)))
CFG_DIR := $(BUILD)/$(CFG)

ifeq ($(V),1)
Q :=
else
Q := @
endif

# --- flags -----------------------------------------------------------------------
WARNINGS := -Wall -Wextra -Wshadow -Wconversion -Wstrict-prototypes \
            -Wmissing-prototypes -Wpointer-arith -Wundef -Wformat=2 \
            -Wvla -Werror
# The learner edition (make handout) has stubbed bodies whose parameters and helpers
# are unused until the learner writes them: relax exactly those warnings there.
-include $(TOP)/mk/handout.mk
ifeq ($(HANDOUT),1)
WARNINGS += -Wno-unused-parameter -Wno-unused-variable -Wno-unused-function \
            -Wno-unused-but-set-variable -Wno-unused-but-set-parameter
endif

# clang 14 writes DWARF 5 by default, which Debian 12's valgrind 3.19 cannot read:
# ask every compiler for DWARF 4 so VALGRIND=1 works under gcc and clang alike.
ifeq ($(O),0)
OPTFLAGS := -O0 -g3 -gdwarf-4
else
OPTFLAGS := -O$(O) -g -gdwarf-4
endif

SANFLAGS := $(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all)

CSTD      := -std=c11
# Hosted code sees POSIX 2008 + BSD names; a file that needs GNU names defines
# _GNU_SOURCE itself, before any include.
HOSTDEFS  := -D_DEFAULT_SOURCE
DEPFLAGS   = -MMD -MP
CFLAGS_ALL = $(CSTD) $(OPTFLAGS) $(WARNINGS) $(SANFLAGS) $(HOSTDEFS) $(EXTRA_CFLAGS)
CXXFLAGS_ALL = -std=c++17 $(OPTFLAGS) -Wall -Wextra -Werror $(SANFLAGS) $(EXTRA_CXXFLAGS)
LDFLAGS_ALL  = $(SANFLAGS) $(EXTRA_LDFLAGS)

# Freestanding proof: only the compiler's own headers are visible, no libc at link.
FREESTANDING_CFLAGS = $(CSTD) -O2 $(WARNINGS) -ffreestanding -nostdlib -nostdinc \
                      -isystem $(shell $(CC) -print-file-name=include) -fno-stack-protector

endif
