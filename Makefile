# The two commands of the README:
#   make demo   installs what is missing, builds, and runs `shopstream demo`
#   make test   installs what is missing, checks the formatting (and that docs/BENCHMARKS.md is
#               its render), builds with sanitizers, and
#               runs every test (the unit and threaded tests also under ThreadSanitizer)
# and the quick loop while working:
#   make check  the unit tests and the embedded integration tests: no servers
BUILD      ?= build
TEST_BUILD ?= build-test
TSAN_BUILD ?= build-tsan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
DEMO_ARGS  ?=
JOBS       ?= $(shell nproc)

.PHONY: demo test check test-build build deps bench format clean fuzz fuzz-build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHOPSTREAM_BENCHMARKS=ON -DSHOPSTREAM_PARQUET=ON
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/src/cli/shopstream demo $(DEMO_ARGS)

test-build: deps
	cmake -S . -B $(TEST_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSHOPSTREAM_SANITIZE=ON -DSHOPSTREAM_BENCHMARKS=OFF \
	  -DSHOPSTREAM_PARQUET=ON -DSHOPSTREAM_FUZZ_BUILD=$(abspath $(FUZZ_BUILD))
	cmake --build $(TEST_BUILD) -j $(JOBS)

test: test-build
	scripts/check-format
	scripts/check-layout
	bench/run --check
	cmake -S . -B $(TSAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSHOPSTREAM_TSAN=ON -DSHOPSTREAM_BENCHMARKS=OFF \
	  -DSHOPSTREAM_PARQUET=ON
	cmake --build $(TSAN_BUILD) -j $(JOBS)
	FUZZ_BUILD=$(FUZZ_BUILD) JOBS=$(JOBS) scripts/fuzz build
	TSAN_BUILD=$(TSAN_BUILD) scripts/run-tests $(TEST_BUILD)

# The same sanitized build, only the tests that need no server (CTest labels unit and embedded).
check: test-build
	scripts/check-layout
	bench/run --check
	SHOPSTREAM_STACK=off scripts/run-tests $(TEST_BUILD) -L 'unit|embedded'

# The libFuzzer targets (clang, docs/fuzzing.md): `make fuzz` runs each for FUZZ_SECONDS.
fuzz-build: deps
	FUZZ_BUILD=$(FUZZ_BUILD) JOBS=$(JOBS) scripts/fuzz build

fuzz: fuzz-build
	FUZZ_BUILD=$(FUZZ_BUILD) scripts/fuzz all $(FUZZ_SECONDS)

bench: build
	bench/run

format:
	find src bench fuzz tests -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
