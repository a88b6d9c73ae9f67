# Quire - a plain Makefile with pkg-config.
#   make            build ./quire
#   make run        install missing packages, build, create the demo journal, serve it
#   make check      build and run every test (unit, Mustache spec, end-to-end, browser)
#   make check-asan the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz       run every libFuzzer harness FUZZ_SECONDS (docs/fuzzing.md)
#   make format     apply .clang-format to every C file (docs/conventions.md)

PKGS    := libmicrohttpd sqlite3 yaml-0.1 inih jansson libcmark-gfm libxml-2.0 libsodium liboath libqrencode libmariadb libsystemd libcurl vips libmagic libcrypto opendkim zlib libdeflate libbrotlienc libbrotlidec xapian-core
CC      ?= cc
PYTHON  ?= /usr/bin/python3
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wvla -Wno-missing-field-initializers
OPT     ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc -MMD -MP \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lstdc++ -lpthread -lm
# The one C++ file (src/store/xapian.cc: Xapian's API is C++), built by the
# C compiler's sibling with the same options; UBSan's C++-only checks (vptr,
# function) would need a C++ link, and nothing else in Quire is C++.
comma   := ,
CXX_Q   := $(if $(findstring clang,$(CC)),clang++,g++)
CXXFLAGS_Q := -std=c++17 -D_GNU_SOURCE $(OPT) -Wall -Wextra -Wshadow -Isrc -MMD -MP \
           $(if $(findstring sanitize,$(OPT)),-fno-sanitize=vptr$(if $(findstring clang,$(CC)),$(comma)function)) \
           $(shell pkg-config --cflags xapian-core 2>/dev/null) $(CPPFLAGS) $(CXXFLAGS)
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif

BUILD   ?= build
SRCS    := $(sort $(wildcard src/*/*.c))
OBJS    := $(SRCS:src/%.c=$(BUILD)/%.o) $(BUILD)/gen/gazetteer.o \
           $(patsubst src/%.cc,$(BUILD)/%.o,$(sort $(wildcard src/*/*.cc)))
TESTS   := $(sort $(wildcard tests/unit/*_test.c))
TBINS   := $(TESTS:tests/unit/%.c=$(BUILD)/tests/%)
QUIRE   ?= ./quire
DB      ?= data/quire.db
# The shared test fixtures (not in the repository); tests skip what they
# need from here when it is absent.
FIXTURES ?= $(CURDIR)/../shared/fixtures

.PHONY: all run check check-unit check-e2e check-asan deps browser-deps clean demo fuzz bench bench-scale bench-engines \
        format check-format eval-places install deb
all: $(QUIRE)

$(QUIRE): $(BUILD)/main.o $(BUILD)/libquire.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# The default theme and the version, compiled in (src/io/theme_embed.h).
# Every file under theme/default goes in, whatever is there; the folders
# are prerequisites too, so adding or removing a file regenerates it.
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo unknown)
THEME_FILES := $(shell find theme/default theme/admin 2>/dev/null)
GEN_OBJS := $(BUILD)/gen/theme_embedded.o

$(BUILD)/gen/version.txt: FORCE
	@mkdir -p $(dir $@)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@

$(BUILD)/gen/theme_embedded.c: scripts/embed-theme $(THEME_FILES) $(BUILD)/gen/version.txt
	$(PYTHON) scripts/embed-theme theme $@ "$$(cat $(BUILD)/gen/version.txt)"

$(BUILD)/gen/theme_embedded.o: $(BUILD)/gen/theme_embedded.c
	$(CC) $(CFLAGS) -c -o $@ $<

FORCE:

$(BUILD)/libquire.a: $(OBJS) $(GEN_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/%.o: src/%.cc
	@mkdir -p $(dir $@)
	$(CXX_Q) $(CXXFLAGS_Q) $(if $(filter 1,$(WERROR)),-Werror) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libquire.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/libquire.a $(LDFLAGS) $(LDLIBS) -lcmocka

# The places gazetteer, generated from installed iso-codes and the fixtures
# (scripts/gen-gazetteer; docs/places.md) and linked into the binary.
FIXTURES ?= $(CURDIR)/../shared/fixtures
ISO3166  ?= /usr/share/iso-codes/json/iso_3166-1.json
$(BUILD)/gen/gazetteer.c: scripts/gen-gazetteer src/content/places-curated.tsv \
    $(wildcard $(ISO3166) $(FIXTURES)/countries/mledoze/countries.json \
               $(FIXTURES)/organizations/CountrycodesOrgs.csv)
	@mkdir -p $(dir $@)
	$(PYTHON) scripts/gen-gazetteer $(ISO3166) $(FIXTURES) src/content/places-curated.tsv $@

$(BUILD)/gen/gazetteer.o: $(BUILD)/gen/gazetteer.c src/content/places.h
	$(CC) $(CFLAGS) -c -o $@ $<

# Tags the Reuters corpus and compares with its hand-assigned PLACES/ORGS.
eval-places: $(QUIRE)
	$(PYTHON) scripts/eval-places $(QUIRE) $(FIXTURES)

deps:
	@scripts/install-deps

# playwright-core for tests/browser (npm); see tests/e2e/test_browser.py.
browser-deps:
	@scripts/install-browser-deps

demo: $(QUIRE)
	@scripts/make-demo $(QUIRE) $(DB)

run: deps
	$(MAKE) all
	@scripts/make-demo $(QUIRE) $(DB)
	$(QUIRE) --db $(DB) serve --listen 127.0.0.1:8080

# Everything the tests run is built first, one compiler per core.
NPROC := $(shell nproc 2>/dev/null || echo 2)
check: deps
	@scripts/checksrc
	@scripts/check-format
	$(MAKE) -j$(NPROC) $(QUIRE) $(TBINS) $(REPLAYS)
	$(MAKE) check-unit check-fuzz check-e2e

check-unit: $(TBINS)
	@set -e; for t in $(TBINS); do echo "== $$t"; \
	    QUIRE_FIXTURES=$(FIXTURES) $$t; done

# The end-to-end tests mostly wait (on servers, SMTP, MariaDB, a browser),
# so they run E2E_JOBS files at a time (pytest-xdist; each file whole, in
# one worker, in order: files share a server across their tests).
# E2E_JOBS=0 runs them one after the other.
E2E_JOBS ?= 4
check-e2e: $(QUIRE) browser-deps
	QUIRE_BIN=$(abspath $(QUIRE)) QUIRE_FIXTURES=$(FIXTURES) \
	    $(PYTHON) -m pytest -q -p no:cacheprovider \
	    $(if $(filter-out 0,$(E2E_JOBS)),-n $(E2E_JOBS) --dist loadfile) tests/e2e

# Sanitizer build in its own folder so it never mixes with the normal one.
check-asan:
	$(MAKE) BUILD=build-asan QUIRE=build-asan/quire CC=clang \
	    OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" check

# Fuzzing (docs/fuzzing.md). Each tests/fuzz/NAME_fuzz.c is built twice:
# as a libFuzzer binary in build-fuzz/ (clang, ASan+UBSan) for `make fuzz`,
# and as a plain program with tests/fuzz/replay.c in $(BUILD)/fuzz/ so
# `make check` replays tests/fuzz/regressions/NAME/ with any compiler.
# `make -j2 fuzz` runs two harnesses at a time, FUZZ_SECONDS each, with
# FUZZ_FLAGS passed to libFuzzer (e.g. -runs=N).
FUZZ_SECONDS ?= 60
FUZZ_FLAGS  ?=
FUZZ_NAMES  := $(patsubst tests/fuzz/%_fuzz.c,%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZERS     := $(FUZZ_NAMES:%=build-fuzz/%_fuzz)
REPLAYS     := $(FUZZ_NAMES:%=$(BUILD)/fuzz/%_fuzz)
FUZZ_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer
FUZZ_CORPUS ?= build-fuzz/corpus
PKG_CFLAGS  := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)

.PHONY: fuzz-build fuzz-lib check-fuzz $(FUZZ_NAMES:%=fuzz-%)
fuzz-lib:
	$(MAKE) BUILD=build-fuzz CC=clang OPT="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" build-fuzz/libquire.a

build-fuzz/%_fuzz: tests/fuzz/%_fuzz.c fuzz-lib
	clang -std=c11 -D_GNU_SOURCE $(FUZZ_CFLAGS) -fsanitize=fuzzer $(WARN) \
	    $(if $(filter 1,$(WERROR)),-Werror) -Isrc -Itests $(PKG_CFLAGS) \
	    -o $@ $< build-fuzz/libquire.a $(LDLIBS)

fuzz-build: $(FUZZERS)

# One harness: seed corpus from ../shared/fixtures and the theme, then run.
# New inputs accumulate in $(FUZZ_CORPUS)/NAME; a crash is written to
# build-fuzz/NAME-crash-* and fails the target with the report.
$(FUZZ_NAMES:%=fuzz-%): fuzz-%: build-fuzz/%_fuzz
	@rm -rf $(FUZZ_CORPUS)/$*.seed; mkdir -p $(FUZZ_CORPUS)/$* $(FUZZ_CORPUS)/$*.seed
	@$(PYTHON) tests/fuzz/seeds.py $* $(FIXTURES) $(FUZZ_CORPUS)/$*.seed
	@echo "== $< ($(FUZZ_SECONDS) s)"
	@dict=tests/fuzz/$*.dict; [ -f $$dict ] && dict="-dict=$$dict" || dict=; \
	    reg=tests/fuzz/regressions/$*; [ -d $$reg ] || reg=; \
	    $< -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
	        -print_final_stats=1 $(FUZZ_FLAGS) $$dict -artifact_prefix=build-fuzz/$*- \
	        $(FUZZ_CORPUS)/$* $(FUZZ_CORPUS)/$*.seed $$reg \
	        > build-fuzz/$*.log 2>&1 || { tail -n 60 build-fuzz/$*.log; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
	        build-fuzz/$*.log | sed 's/^/    $* /'

fuzz: $(FUZZ_NAMES:%=fuzz-%)

$(BUILD)/fuzz/replay.o: tests/fuzz/replay.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/fuzz/%_fuzz: tests/fuzz/%_fuzz.c $(BUILD)/fuzz/replay.o $(BUILD)/libquire.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/fuzz/replay.o $(BUILD)/libquire.a $(LDFLAGS) $(LDLIBS)

# Replays every input in tests/fuzz/regressions/NAME/ through NAME_fuzz.
check-fuzz: $(REPLAYS)
	@set -e; for n in $(FUZZ_NAMES); do \
	    d=tests/fuzz/regressions/$$n; [ -d $$d ] || continue; \
	    QUIRE_FIXTURES=$(FIXTURES) $(BUILD)/fuzz/$${n}_fuzz $$d; done

# The benchmark against nginx and Hugo (docs/benchmarks.md); quick run:
# BENCH_ARTICLES=2000 BENCH_SECONDS=5 make bench
bench:
	@bench/run

# How the figures grow from 15,000 to 1,000,000 synthetic articles
# (bench/scale.py, hours at full size); quick run:
# BENCH_SCALE_SIZES="2000 10000" BENCH_SCALE_EXPORT=2000 BENCH_SOAK_SECONDS=30 make bench-scale
bench-scale:
	@bench/run scale

# FTS5 or Xapian: the same searches on one journal, both engines in-process
# (bench/engines.py; docs/benchmarks.md). Any Quire database, e.g. one
# bench-scale made: BENCH_ENGINES_DB=path/synth-1000000.db make bench-engines
bench-engines:
	@bench/run engines

$(BUILD)/bench/engine-compare: bench/engine-compare.c $(BUILD)/libquire.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

# scripts/check-format checks that every C file matches .clang-format;
# `make format` rewrites every C file in place.
check-format:
	@scripts/check-format

format:
	clang-format -i --style=file $$(git ls-files 'src/*.c' 'src/*.h' 'src/*.cc' \
	    'tests/unit/*.c' 'tests/unit/*.h' 'tests/fuzz/*.c' 'tests/fuzz/*.h')

# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, quire(1), bash
# completion, an example quire.ini and the systemd units (dist/).
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR ?= $(PREFIX)/lib/systemd/system
COMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR  ?= $(PREFIX)/share/doc/quire

install: $(QUIRE)
	install -D -m 0755 $(QUIRE) $(DESTDIR)$(BINDIR)/quire
	install -D -m 0644 dist/quire.1 $(DESTDIR)$(MANDIR)/man1/quire.1
	install -D -m 0644 dist/quire.bash-completion $(DESTDIR)$(COMPDIR)/quire
	install -D -m 0644 dist/quire.ini $(DESTDIR)$(DOCDIR)/examples/quire.ini
	@if [ ! -e $(DESTDIR)$(SYSCONFDIR)/quire/quire.ini ]; then \
	    install -D -m 0644 dist/quire.ini $(DESTDIR)$(SYSCONFDIR)/quire/quire.ini; fi
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed 's|@BINDIR@|$(BINDIR)|g; s|/etc/quire/|$(SYSCONFDIR)/quire/|g' \
	    dist/quire.service > $(DESTDIR)$(UNITDIR)/quire.service
	install -m 0644 dist/quire.socket $(DESTDIR)$(UNITDIR)/quire.socket

# make deb: quire_<version>_<arch>.deb in build/deb/ (debian/, debhelper).
deb:
	@scripts/make-deb

clean:
	rm -rf build build-asan build-fuzz build-bench quire

# Test programs too: touching a test header (tests/unit/test_*.h) rebuilds
# the tests that include it.
-include $(OBJS:.o=.d) $(BUILD)/main.d $(REPLAYS:=.d) $(TBINS:=.d)

# The default theme in a browser (scripts/theme-check): screenshots into
# docs/screenshots/, and Lighthouse scores into docs/lighthouse.json, checked
# against the targets (a check, not a timed test).
.PHONY: screenshots lighthouse
screenshots: $(QUIRE) browser-deps
	QUIRE_BIN=$(abspath $(QUIRE)) QUIRE_FIXTURES=$(CURDIR)/../shared/fixtures \
	    $(PYTHON) scripts/theme-check screenshots
lighthouse: $(QUIRE) browser-deps
	QUIRE_BIN=$(abspath $(QUIRE)) QUIRE_FIXTURES=$(CURDIR)/../shared/fixtures \
	    $(PYTHON) scripts/theme-check lighthouse
