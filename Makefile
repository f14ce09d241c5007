# The two commands of the README:
#   make demo   installs what is missing, builds, and runs `shopstream demo`
#   make test   installs what is missing, builds with sanitizers, and runs every test
BUILD      ?= build
TEST_BUILD ?= build-test
DEMO_ARGS  ?=
JOBS       ?= $(shell nproc)

.PHONY: demo test build deps bench format clean

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSHOPSTREAM_BENCHMARKS=ON -DSHOPSTREAM_PARQUET=ON
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/src/cli/shopstream demo $(DEMO_ARGS)

test: deps
	cmake -S . -B $(TEST_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSHOPSTREAM_SANITIZE=ON -DSHOPSTREAM_BENCHMARKS=OFF -DSHOPSTREAM_PARQUET=ON
	cmake --build $(TEST_BUILD) -j $(JOBS)
	scripts/run-tests $(TEST_BUILD)

bench: build
	bench/run

format:
	find src bench -name '*.h' -o -name '*.cc' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
