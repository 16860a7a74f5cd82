# yaa - thin wrapper over CMake/CTest. `make demo` and `make test` are the README's two commands.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
ASAN_BUILD ?= build-asan
CTEST_FLAGS ?= --output-on-failure -j$(JOBS)

.PHONY: all deps build test test-unit test-asan demo lint format clean web fuzz bench \
        redis-up worker monitoring-up monitoring-down rag-index serve

all: build

deps:
	@./scripts/install-deps

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: $(BUILD)/Makefile
	@cmake --build $(BUILD) -j$(JOBS)

# Sanitizer build (clang: ASan + UBSan, plus the libFuzzer targets) running the unit tests
# and each fuzz target for a short time; then every test of the normal build. CTest's
# summary of the full run is the last line.
test-asan:
	@CC=clang cmake -S . -B $(ASAN_BUILD) -DYAA_SANITIZE=ON -DYAA_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  ctest $(CTEST_FLAGS) -L 'unit|fuzz'

test-unit: build
	cd $(BUILD) && ctest $(CTEST_FLAGS) -L unit

test: deps
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory build
	cd $(BUILD) && ctest $(CTEST_FLAGS)

# scripts/demo installs, builds yaa and the dashboard quietly (logs shown only on failure).
demo:
	@./scripts/demo

serve: build
	./$(BUILD)/yaa serve

lint: build
	@./scripts/lint

format:
	clang-format -i $$(git ls-files 'src/*.[ch]' 'tests/*.[ch]' 'bench/*.[ch]')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)

# Each subsystem adds its own targets (redis-up, worker, monitoring-up, rag-index, web, bench…)
# in mk/<subsystem>.mk.
-include mk/*.mk
