# The two set-up commands are `make demo` and `make test` (see README.md). The rest are helpers.
SHELL := /bin/bash
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60

.PHONY: demo test deps build build-dev build-asan unit asan e2e bench fuzz fuzz-build fuzz-smoke clean

deps:
	@scripts/install-deps

# Release build, optimised with profiles from an instrumented build's training runs
# (scripts/pgo-train, build-pgo/). `make build PGO=0` builds without them.
PGO ?= 1
build: deps
ifeq ($(PGO),1)
	@scripts/pgo-train $(JOBS)
	@cmake --preset ci -DMW_PGO_USE=$(CURDIR)/build-pgo/profile >/dev/null
else
	@cmake --preset ci -DMW_PGO_USE= >/dev/null
endif
	@cmake --build --preset ci -j $(JOBS)

build-dev: deps
	@cmake --preset dev >/dev/null
	@cmake --build --preset dev -j $(JOBS)

# The unit-test binaries only, with ASan + UBSan (-O1, no debug info: quicker to build).
build-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan -j $(JOBS)

# make demo: install what is missing, build release, run the end-to-end demo.
demo: build
	build/bin/minelab demo

# make test: unit tests (release build, warnings as errors), the same unit tests under
# ASan + UBSan, then the end-to-end tests.
test: build build-asan
	ctest --test-dir build -L unit -j $(JOBS) --output-on-failure --timeout 600
	ctest --test-dir build-asan -L unit -j $(JOBS) --output-on-failure --timeout 900
	ctest --test-dir build -L e2e --output-on-failure --timeout 900

unit: build
	ctest --test-dir build -L unit -j $(JOBS) --output-on-failure

e2e: build
	ctest --test-dir build -L e2e --output-on-failure

bench: build
	@for b in build/bin/bench-*; do echo "== $$b"; $$b || exit 1; done

fuzz-build: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)

# Runs every fuzz target for FUZZ_SECONDS each, starting from its seed corpus.
fuzz-smoke: fuzz-build
	@set -e; for f in build-fuzz/bin/fuzz-*; do \
	  name=$${f##*/fuzz-}; work=build-fuzz/corpus/$$name; mkdir -p $$work; \
	  echo "== $$name ($(FUZZ_SECONDS) s)"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	      $$work fuzz/corpus/$$name 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY' ; \
	  test $${PIPESTATUS[0]} -eq 0; \
	done

clean:
	rm -rf build build-dev build-asan build-fuzz build-pgo
