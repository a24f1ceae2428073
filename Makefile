# Docent — two commands on a fresh Debian 12 machine:
#   make run    install what is needed, build, start Docent
#   make test   install what is needed, build, run every test
# Everything else is ordinary meson: the build folder is build/.

BUILD      ?= build
ASAN_BUILD ?= build-asan
MESON_OPTS ?=

FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 600

.PHONY: all deps build run cli test test-asan bench fuzz clean

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

fuzz:
	@./tools/install-deps.sh --fuzz
	$(MAKE) $(FUZZ_BUILD)/build.ninja
	meson compile -C $(FUZZ_BUILD)
	mkdir -p $(FUZZ_BUILD)/corpus-gguf
	$(FUZZ_BUILD)/tests/fuzz-gguf -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 \
	  -dict=tests/fuzz/gguf.dict -workers=1 -jobs=1 \
	  $(FUZZ_BUILD)/corpus-gguf tests/fuzz/corpus/gguf

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
