# The two commands: `make run` and `make test`. Everything else is a helper of theirs.
BUILD_DIR   ?= build/debug
RELEASE_DIR ?= build/release
JOBS        ?= $(shell nproc)
# ccache must accept precompiled headers to cache the Asio-heavy files.
export CCACHE_SLOPPINESS = pch_defines,time_macros,include_file_mtime,include_file_ctime

CMAKE_DEBUG   = -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDIRMAIL_SANITIZE=ON -DDIRMAIL_WERROR=ON
CMAKE_RELEASE = -G Ninja -DCMAKE_BUILD_TYPE=Release -DDIRMAIL_TESTS=OFF

.PHONY: all deps build test run bench release deb settings-doc clean

all: build

deps:
	@scripts/install-deps

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) $(CMAKE_DEBUG)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test, unit and integration, on the one sanitizer build.
test: build
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS) --timeout 900

# dirmaild in the foreground on the embedded default, with a demo domain and user.
run: build
	@scripts/run-demo $(BUILD_DIR)

$(RELEASE_DIR)/build.ninja:
	cmake -S . -B $(RELEASE_DIR) $(CMAKE_RELEASE)

release: deps $(RELEASE_DIR)/build.ninja
	cmake --build $(RELEASE_DIR) -j $(JOBS)

# The Debian package from the release build: $(RELEASE_DIR)/dirmail_VERSION-1_ARCH.deb
# (packaging/CMakeLists.txt). Install it with `apt install ./dirmail_*.deb`.
deb: release
	cmake --build $(RELEASE_DIR) --target package

# Benchmarks run on the release build, never on the sanitizer build.
bench: release
	@tests/bench/run $(RELEASE_DIR)

# libFuzzer on every parser: a clang build in $(FUZZ_DIR), each target fuzzed for
# FUZZ_SECONDS on a scratch copy of its seeds; findings land in $(FUZZ_DIR)/fuzz-findings.
FUZZ_DIR     ?= build/fuzz
FUZZ_SECONDS ?= 30
.PHONY: fuzz
fuzz: deps
	@JOBS=$(JOBS) tests/fuzz/run $(FUZZ_DIR) $(FUZZ_SECONDS)

# Regenerates docs/settings.md from src/config/include/dirmail/config/settings.def.
settings-doc: build
	cmake --build $(BUILD_DIR) --target settings-doc

clean:
	rm -rf build
