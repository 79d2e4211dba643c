# triage: support bundles for the Workload Onboarding Agent.
# Plain make, no autotools.  `make deps` installs what the build and tests need.

PREFIX  ?= /usr/local
DESTDIR ?=
BUILD   ?= build
CC      ?= cc

VERSION := 0.1.0

COMMON_PKGS  := libarchive jansson yaml-0.1 libpcre2-8 nettle libdeflate zlib
COLLECT_PKGS := $(COMMON_PKGS) libsystemd
# libcrypto: an independent SHA-256 and base64 the tests check ours against.
TEST_PKGS    := cmocka libcrypto

# pkg-config is called once per package set; the results are plain flags.
PKG_CFLAGS   := $(shell pkg-config --cflags $(COLLECT_PKGS) 2>/dev/null)
COMMON_LIBS  := $(shell pkg-config --libs $(COMMON_PKGS) 2>/dev/null) -lpthread
COLLECT_LIBS := $(shell pkg-config --libs $(COLLECT_PKGS) 2>/dev/null) -lanl -ldl -lpthread
TEST_LIBS    := $(shell pkg-config --libs $(TEST_PKGS) 2>/dev/null)
# A package pkg-config cannot find stops the build (pkgcheck, below), never an empty link line.
PKG_MISSING  := $(shell for p in $(COLLECT_PKGS); do pkg-config --exists $$p || echo $$p; done)
TEST_MISSING := $(shell for p in $(TEST_PKGS); do pkg-config --exists $$p || echo $$p; done)
# archive_write_open2 is libarchive 3.6's (Debian 11 has 3.4.3; make dist builds 3.7.4 in its sysroot).
PKG_OLD      := $(shell pkg-config --exists libarchive && ! pkg-config --atleast-version=3.6.0 libarchive && \
                  echo "libarchive $$(pkg-config --modversion libarchive) is older than 3.6.0 (archive_write_open2)")

# RELEASE=1 (make dist, in the Debian 11 sysroot): every library static but libc's and, for the
# collector, libsystemd.so.0; one section per function so the linker keeps only what is called.
ifeq ($(RELEASE),1)
OPT ?= -O2 -g
OPT += -ffunction-sections -fdata-sections
LDFLAGS += -Wl,--gc-sections -Wl,--as-needed
STATIC_LIBS  := -Wl,-Bstatic $(shell pkg-config --static --libs $(COMMON_PKGS) 2>/dev/null) -Wl,-Bdynamic
COMMON_LIBS  := $(STATIC_LIBS) -lpthread
COLLECT_LIBS := $(STATIC_LIBS) $(shell pkg-config --libs libsystemd 2>/dev/null) -lanl -ldl -lpthread
endif

WARN := -std=c17 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wwrite-strings -Wpointer-arith
ifeq ($(CI),true)
WARN += -Werror
endif

OPT ?= -O2 -g
ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif

CPPFLAGS += -D_GNU_SOURCE -DTRIAGE_VERSION='"$(VERSION)"' -Icommon
ALL_CFLAGS = $(WARN) $(OPT) $(PKG_CFLAGS) $(CPPFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(OPT) $(LDFLAGS)

# The architecture, in sources: a library both programs link, then one file
# per source (collector) and one per stage (analyzer).
COMMON_SRCS  := $(sort $(wildcard common/*.c))
COLLECT_SRCS := $(sort $(wildcard collect/*.c))
ANALYZE_SRCS := $(sort $(wildcard analyze/*.c))
UNIT_SRCS    := $(sort $(wildcard tests/unit/test_*.c))

COMMON_OBJS  := $(COMMON_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/common/catalog_blob.o
COLLECT_OBJS := $(COLLECT_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/collect/profile_blob.o
ANALYZE_OBJS := $(ANALYZE_SRCS:%.c=$(BUILD)/%.o) $(BUILD)/analyze/rules_blob.o $(BUILD)/analyze/ecs_rules_blob.o
UNIT_BINS    := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)

LIB := $(BUILD)/libtriage.a
# Analyzer objects other than main, for unit tests and fuzz targets.
ANALYZE_LIB := $(BUILD)/libanalyze.a
COLLECT_LIB := $(BUILD)/libcollect.a

PROGS := $(BUILD)/triage-collect $(BUILD)/triage-analyze

.PHONY: po-update all deps check check-unit check-asan demo install clean samples bench bench-against fuzz fuzz-build dist check-dist
.DEFAULT_GOAL := all

all: $(PROGS)

$(BUILD)/%.o: %.c | pkgcheck
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Built-in YAML (rules, collection profile) is assembled into the binaries.
$(BUILD)/analyze/rules_blob.o: common/blob.S rules/onboarding-agent.yaml
	@mkdir -p $(@D)
	$(CC) -c -o $@ -DBLOB_NAME=triage_builtin_rules -DBLOB_FILE='"rules/onboarding-agent.yaml"' common/blob.S
$(BUILD)/analyze/ecs_rules_blob.o: common/blob.S rules/ecs.yaml
	@mkdir -p $(@D)
	$(CC) -c -o $@ -DBLOB_NAME=triage_builtin_ecs_rules -DBLOB_FILE='"rules/ecs.yaml"' common/blob.S
$(BUILD)/collect/profile_blob.o: common/blob.S collect/profile-default.yaml
	@mkdir -p $(@D)
	$(CC) -c -o $@ -DBLOB_NAME=triage_builtin_profile -DBLOB_FILE='"collect/profile-default.yaml"' common/blob.S

# Translations: po/zh_CN.po, checked and compiled by msgfmt (gettext), assembled into
# the library so that the released programs speak Chinese with no catalog file.
# <PRIu64> in a msgid (gettext's system-dependent form) becomes this compiler's
# expansion, so that the catalog's keys are the format strings the program passes.
PRI_U64 = $(shell printf '\043include <inttypes.h>\nPRIu64\n' | $(CC) -E -P - | tail -1 | tr -d '" ')
PRI_D64 = $(shell printf '\043include <inttypes.h>\nPRId64\n' | $(CC) -E -P - | tail -1 | tr -d '" ')
$(BUILD)/po/zh_CN.mo: po/zh_CN.po
	@mkdir -p $(@D)
	sed -e 's/<PRIu64>/$(PRI_U64)/g' -e 's/<PRId64>/$(PRI_D64)/g' po/zh_CN.po >$(BUILD)/po/zh_CN.sys.po
	msgfmt --check --endianness=little -o $@ $(BUILD)/po/zh_CN.sys.po
$(BUILD)/common/catalog_blob.o: common/blob.S $(BUILD)/po/zh_CN.mo
	@mkdir -p $(@D)
	$(CC) -c -o $@ -DBLOB_NAME=triage_catalog_zh -DBLOB_FILE='"$(BUILD)/po/zh_CN.mo"' common/blob.S

# The messages of the sources (_(), P_(), C_(), N_()) merged into po/zh_CN.po, for translators.
po-update:
	@mkdir -p $(BUILD)/po
	xgettext --from-code=UTF-8 --language=C -k_ -kN_ -kP_:1,2 -kC_:1c,2 -kctx_source:4 --add-location=file --add-comments=TRANSLATORS \
	  --package-name=triage --package-version=$(VERSION) -o $(BUILD)/po/triage.pot \
	  $(sort $(wildcard common/*.c collect/*.c analyze/*.c))
	msgmerge --quiet --update --backup=none --no-fuzzy-matching po/zh_CN.po $(BUILD)/po/triage.pot

pkgcheck:
ifneq ($(strip $(PKG_MISSING)),)
	@echo "Makefile: pkg-config cannot find: $(strip $(PKG_MISSING)) (make deps installs them; PKG_CONFIG_PATH=$(PKG_CONFIG_PATH))" >&2; exit 1
endif
ifneq ($(strip $(PKG_OLD)),)
	@echo "Makefile: $(PKG_OLD)" >&2; exit 1
endif
testpkgcheck:
ifneq ($(strip $(TEST_MISSING)),)
	@echo "Makefile: pkg-config cannot find: $(strip $(TEST_MISSING)) (make deps installs them)" >&2; exit 1
endif
.PHONY: pkgcheck testpkgcheck

$(LIB): $(COMMON_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(ANALYZE_LIB): $(filter-out $(BUILD)/analyze/main.o,$(ANALYZE_OBJS))
	@rm -f $@
	$(AR) rcs $@ $^

$(COLLECT_LIB): $(filter-out $(BUILD)/collect/main.o,$(COLLECT_OBJS))
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/triage-collect: $(BUILD)/collect/main.o $(COLLECT_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(COLLECT_LIBS)

# The analyzer must not link libsystemd: support staff run it anywhere.
$(BUILD)/triage-analyze: $(BUILD)/analyze/main.o $(ANALYZE_LIB) $(LIB)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(COMMON_LIBS)

# Unit tests link the library; the linker pulls only the modules a test uses.
# A test of collector or analyzer internals names them in its first line:
#   /* links: analyze */  or  /* links: collect */
$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(ANALYZE_LIB) $(COLLECT_LIB) | testpkgcheck
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Ianalyze -Icollect -o $@ $< \
	  $$(head -1 $< | grep -q 'links: analyze' && echo $(ANALYZE_LIB)) \
	  $$(head -1 $< | grep -q 'links: collect' && echo $(COLLECT_LIB)) \
	  $(LIB) $(ALL_LDFLAGS) $(COLLECT_LIBS) $(TEST_LIBS)

unit-bins: $(UNIT_BINS)
.PHONY: unit-bins

deps:
	@scripts/deps.sh

# Every test: unit, integration, real systemd, hostile input, golden reports,
# the unit tests again under ASan+UBSan, and a short fuzz smoke run.
check: deps
	@# The release's cached root filesystems, made (first run only) while the programs build.
	@scripts/sysroot.sh build >/dev/null 2>&1 & scripts/sysroot.sh trixie >/dev/null 2>&1 &
	@$(MAKE) --no-print-directory all unit-bins
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 all unit-bins
	@scripts/dist.sh >/dev/null || echo "make check: make dist failed; the dist suite reports it"
	@tests/run-all.sh

# The portable release: both programs built in a cached Debian 11 sysroot for x86_64 and aarch64, as
# tar.gz, .deb and .rpm in dist/ (scripts/dist.sh).  check-dist boots Debian 11 and 13 with systemd,
# installs them there and checks what they collect; aarch64 runs under qemu (tests/dist/).
dist: deps
	@scripts/dist.sh

check-dist: dist
	@tests/run-all.sh dist

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

samples: deps
	@$(MAKE) --no-print-directory all
	@tests/nspawn/make-samples.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@tests/bench/run.sh

# This tree's collector against REV's on the 1M-entry journal (tests/bench/against.sh).
bench-against: deps
	@$(MAKE) --no-print-directory all
	@env $(if $(REV),REV='$(REV)') tests/bench/against.sh

FUZZ_SECONDS ?= 60
fuzz: deps
	@tests/fuzz/run.sh $(FUZZ_SECONDS)

# libFuzzer targets (tests/fuzz/fuzz_*.c) in build-fuzz/: clang, the library and
# analyzer objects instrumented for coverage, ASan and UBSan.
FUZZ_CC  ?= clang
FUZZ_OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
            -fno-sanitize-recover=undefined
FUZZ_BINS = $(patsubst tests/fuzz/%.c,$(BUILD)/%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
fuzz-build:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=$(FUZZ_CC) OPT='$(FUZZ_OPT)' fuzz-bins
fuzz-bins: $(FUZZ_BINS)
$(BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(ANALYZE_LIB) $(LIB)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Ianalyze -o $@ $< $(ANALYZE_LIB) $(LIB) \
	  $(ALL_LDFLAGS) -fsanitize=fuzzer $(COMMON_LIBS) $(shell pkg-config --libs libcrypto)
# The collector's --log-file reader links the collector's library too.
$(BUILD)/fuzz_log_file: tests/fuzz/fuzz_log_file.c $(COLLECT_LIB) $(LIB)
	$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer -Icollect -o $@ $< $(COLLECT_LIB) $(LIB) \
	  $(ALL_LDFLAGS) -fsanitize=fuzzer $(COLLECT_LIBS)
.PHONY: fuzz-bins

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/triage/rules
	install -m 0755 $(PROGS) $(DESTDIR)$(PREFIX)/bin/
	install -m 0644 docs/triage-collect.1 docs/triage-analyze.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 0644 rules/*.yaml $(DESTDIR)$(PREFIX)/share/triage/rules/

clean:
	rm -rf build build-asan build-tsan build-fuzz out dist

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
