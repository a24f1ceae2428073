# Docent — two commands on a fresh Debian 12 machine:
#   make run    install what is needed, build, start Docent
#   make test   install what is needed, build, run every test
# Everything else is ordinary meson: the build folder is build/.

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=

FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 600
FUZZERS      ?= gguf html office chunker tokenizer query

.PHONY: all deps build run cli test test-asan bench fuzz fuzz-ci clean

all: build

deps:
	@./tools/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

run: build
	$(BUILD)/ui/docent $(ARGS)

test: build
	meson test -C $(BUILD) --print-errorlogs

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug $(MESON_OPTS)

test-asan: deps $(ASAN_BUILD)/build.ninja
	meson compile -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  meson test -C $(ASAN_BUILD) --print-errorlogs --timeout-multiplier 3

bench: build
	$(BUILD)/bench/bench-ingest $(ARGS)

# libFuzzer needs clang: a separate build folder.
$(FUZZ_BUILD)/build.ninja:
	CC=clang CXX=clang++ meson setup $(FUZZ_BUILD) -Dfuzzing=true -Dgui=disabled \
	  -Db_sanitize=address,undefined -Db_lundef=false

# Each harness in turn for FUZZ_SECONDS (10 minutes) in one process (one
# core, output to the terminal rather than fuzz-N.log), with its
# dictionary when it has one; new inputs go to FUZZ_BUILD/corpus-NAME, the
# seeds stay in tests/fuzz/corpus/NAME. A finding stops the run, leaving
# crash-* (or leak-*, timeout-*, oom-*) in the top folder: fix it and copy
# the input into the seed corpus, where the replay tests keep checking it.
fuzz:
	@./tools/install-deps.sh --fuzz
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	meson compile -C $(FUZZ_BUILD) $(addprefix tests/fuzz-,$(FUZZERS))
	@set -e; for name in $(FUZZERS); do \
	  mkdir -p $(FUZZ_BUILD)/corpus-$$name; \
	  dict=; [ -f tests/fuzz/$$name.dict ] && dict=-dict=tests/fuzz/$$name.dict; \
	  echo "== fuzz-$$name for $(FUZZ_SECONDS) s"; \
	  $(FUZZ_BUILD)/tests/fuzz-$$name -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	    -timeout=25 $$dict -print_final_stats=1 \
	    $(FUZZ_BUILD)/corpus-$$name tests/fuzz/corpus/$$name; \
	done

# What CI runs: every harness for a minute.
fuzz-ci:
	$(MAKE) fuzz FUZZ_SECONDS=60

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
