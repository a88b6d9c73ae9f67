# Quire - a plain Makefile with pkg-config.
#   make            build ./quire
#   make run        install missing packages, build, create the demo journal, serve it
#   make check      build and run every test (unit, Mustache spec, end-to-end)
#   make check-asan the same under AddressSanitizer + UndefinedBehaviorSanitizer

PKGS    := libmicrohttpd sqlite3 yaml-0.1 inih jansson libcmark-gfm
CC      ?= cc
PYTHON  ?= /usr/bin/python3
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wvla -Wno-missing-field-initializers
OPT     ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Isrc -MMD -MP \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif

BUILD   ?= build
SRCS    := $(sort $(wildcard src/*/*.c))
OBJS    := $(SRCS:src/%.c=$(BUILD)/%.o)
TESTS   := $(sort $(wildcard tests/unit/*_test.c))
TBINS   := $(TESTS:tests/unit/%.c=$(BUILD)/tests/%)
QUIRE   ?= ./quire
DB      ?= data/quire.db

.PHONY: all run check check-unit check-e2e check-asan deps clean demo fuzz bench
all: $(QUIRE)

$(QUIRE): $(BUILD)/main.o $(BUILD)/libquire.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/libquire.a: $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libquire.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests -o $@ $< $(BUILD)/libquire.a $(LDFLAGS) $(LDLIBS) -lcmocka

deps:
	@scripts/install-deps

demo: $(QUIRE)
	@scripts/make-demo $(QUIRE) $(DB)

run: deps
	$(MAKE) all
	@scripts/make-demo $(QUIRE) $(DB)
	$(QUIRE) --db $(DB) serve --listen 127.0.0.1:8080

check: deps
	@scripts/checksrc
	$(MAKE) check-unit check-e2e

check-unit: $(TBINS)
	@set -e; for t in $(TBINS); do echo "== $$t"; \
	    QUIRE_FIXTURES=$(CURDIR)/../shared/fixtures $$t; done

check-e2e: $(QUIRE)
	QUIRE_BIN=$(abspath $(QUIRE)) QUIRE_FIXTURES=$(CURDIR)/../shared/fixtures \
	    $(PYTHON) -m pytest -q -p no:cacheprovider tests/e2e

# Sanitizer build in its own folder so it never mixes with the normal one.
check-asan:
	$(MAKE) BUILD=build-asan QUIRE=build-asan/quire CC=clang \
	    OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" check

# libFuzzer harnesses (tests/fuzz/*_fuzz.c), each run FUZZ_SECONDS under
# ASan+UBSan, seeded from the theme's templates and the Mustache spec.
FUZZ_SECONDS ?= 60
FUZZERS := $(patsubst tests/fuzz/%.c,build-fuzz/%,$(wildcard tests/fuzz/*_fuzz.c))
FUZZ_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer

build-fuzz/%_fuzz: tests/fuzz/%_fuzz.c
	$(MAKE) BUILD=build-fuzz CC=clang OPT="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" build-fuzz/libquire.a
	clang -std=c11 -D_GNU_SOURCE $(FUZZ_CFLAGS) -fsanitize=fuzzer -Isrc -o $@ $< \
	    build-fuzz/libquire.a $(LDLIBS)

fuzz: $(FUZZERS)
	@set -e; for f in $(FUZZERS); do \
	    corpus=build-fuzz/corpus-$$(basename $$f); mkdir -p $$corpus; \
	    cp theme/default/templates/*.mustache theme/default/templates/partials/*.mustache $$corpus/ 2>/dev/null || true; \
	    echo "== $$f ($(FUZZ_SECONDS) s)"; \
	    $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=1024 $$corpus; \
	done

# The benchmark against nginx and Hugo (docs/benchmarks.md); quick run:
# BENCH_ARTICLES=2000 BENCH_SECONDS=5 make bench
bench:
	@bench/run

clean:
	rm -rf build build-asan build-fuzz build-bench quire

-include $(OBJS:.o=.d) $(BUILD)/main.d
