# Entry points. Every target that builds first makes sure the Debian packages are present,
# so a fresh machine needs nothing but `make run` or `make test`.
SHELL := /bin/bash
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
TSAN_DIR ?= build-tsan
# The threaded parts for ThreadSanitizer: HTTPS server and reloads (webhook), informers,
# reflectors and leader election (controller), the drift service, the admission cache (inject).
TSAN_TARGETS ?= webhook_tests controller_tests drift_service_tests inject_tests
FUZZ_DIR ?= build-fuzz
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 30
FUZZ_RUN_SECONDS ?= $(FUZZ_SECONDS)
CONFORMANCE ?= ../shared/conformance
BIN := $(BUILD_DIR)/sidecar-injector
CMAKE_CONFIGURE = cmake -DSIDECAR_CONFORMANCE_DIR=$(abspath $(CONFORMANCE))
# ctest in build tree $(1) with extra arguments $(2), then the reason of every test that did
# not run (CI=true: any such test fails the target).
define run_ctest
set -o pipefail; ctest --output-on-failure -j $(JOBS) --test-dir $(1) $(2) | tee $(1)/ctest.out; rc=$$?; \
  python3 scripts/ctest_skips.py $(1) $(1)/ctest.out || rc=1; exit $$rc
endef

.PHONY: all deps configure binary build test asan-test tsan-test bench fuzz fuzz-build fuzz-smoke fuzz-run run conformance clean format image deploy undeploy

all: build

deps:
	@bash scripts/install-deps.sh >&2

configure: deps
	@$(CMAKE_CONFIGURE) -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job on the embedded default: kube-inject the sleep sample with the built-in
# template. Builds the binary only (tests and benchmarks are `make test`'s business); the
# build's output goes to stderr, so stdout is the injected YAML alone.
binary: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS) --target sidecar-injector >&2

run: binary
	@$(BIN) kube-inject -f samples/sleep.yaml

test: build
	@$(call run_ctest,$(BUILD_DIR),)

# Every test, the binary the end-to-end tests drive included, built with ASan+UBSan.
asan-test: deps
	@$(CMAKE_CONFIGURE) -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSIDECAR_SANITIZE=ON -DSIDECAR_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@$(call run_ctest,$(ASAN_DIR),)

# The threaded parts under ThreadSanitizer (-O1: TSan's usual trade of speed for stacks;
# -Wno-tsan: GCC warns that it cannot see the fences inside Boost.Asio's handler calls).
tsan-test: deps
	@$(CMAKE_CONFIGURE) -S . -B $(TSAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSIDECAR_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=thread -O1 -fno-omit-frame-pointer -Wno-tsan" \
	  -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread >/dev/null
	@cmake --build $(TSAN_DIR) -j $(JOBS) --target $(TSAN_TARGETS)
	@export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 $$TSAN_OPTIONS"; $(call run_ctest,$(TSAN_DIR),-L sanitized)

bench: build
	@for b in $$(find $(BUILD_DIR)/bench -name '*_bench' -type f -perm -u+x | sort); do echo "== $$b"; $$b || exit 1; done

# libFuzzer targets with ASan/UBSan. Only the *_fuzz targets are built (the libraries they
# instrument would not link into the other programs), found by name, so a new fuzzer needs
# nothing here: its executable and fuzz/corpus/<name>/ are picked up.
fuzz-build: deps
	@CXX=clang++ $(CMAKE_CONFIGURE) -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g" \
	  -DSIDECAR_FUZZ=ON -DSIDECAR_TESTS=OFF -DSIDECAR_BENCH=OFF >/dev/null
	@targets=$$(cmake --build $(FUZZ_DIR) --target help | sed -n 's/^\.\.\. \([A-Za-z0-9_]*_fuzz\)$$/\1/p' | sort); \
	  test -n "$$targets" || { echo "fuzz: no *_fuzz target in $(FUZZ_DIR)" >&2; exit 1; }; \
	  cmake --build $(FUZZ_DIR) -j $(JOBS) --target $$targets -- --no-print-directory

# Each fuzzer for FUZZ_SECONDS on its checked-in corpus plus what it finds (kept in
# $(FUZZ_DIR)/corpus-run/<name>/ between runs; the checked-in corpus is only read).
fuzz: fuzz-build
	@$(MAKE) --no-print-directory fuzz-run FUZZ_RUN_SECONDS=$(FUZZ_SECONDS)

# What CI runs: every fuzzer for FUZZ_SMOKE_SECONDS.
fuzz-smoke: fuzz-build
	@$(MAKE) --no-print-directory fuzz-run FUZZ_RUN_SECONDS=$(FUZZ_SMOKE_SECONDS)

fuzz-run:
	@fuzzers=$$(find $(FUZZ_DIR) -name '*_fuzz' -type f -perm -u+x | sort); \
	  test -n "$$fuzzers" || { echo "fuzz: no *_fuzz executable under $(FUZZ_DIR)" >&2; exit 1; }; \
	  for f in $$fuzzers; do \
	    name=$$(basename $$f); work=$(FUZZ_DIR)/corpus-run/$$name; mkdir -p $$work; \
	    seeds=fuzz/corpus/$$name; test -d $$seeds || { echo "fuzz: $$name has no $$seeds/, starting empty"; seeds=; }; \
	    echo "== $$name for $(FUZZ_RUN_SECONDS)s"; \
	    $$f -max_total_time=$(FUZZ_RUN_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/ $$work $$seeds \
	      > $(FUZZ_DIR)/$$name.log 2>&1 || { tail -60 $(FUZZ_DIR)/$$name.log; echo "fuzz: $$name failed (log: $(FUZZ_DIR)/$$name.log)"; exit 1; }; \
	    grep -E '^(Done [0-9]+ runs|stat::new_units_added)' $(FUZZ_DIR)/$$name.log | tr '\n' ' '; echo; \
	  done

# Istio's own golden cases (shared corpus, not part of this repository).
conformance: binary
	@python3 $(CONFORMANCE)/check.py --suite kube-inject --cli "$(BIN) kube-inject" --cases $(CONFORMANCE)/istio-1.4
	@python3 $(CONFORMANCE)/check.py --suite kube-inject --cli "$(BIN) kube-inject" --cases $(CONFORMANCE)/istio-1.1
	@for v in v1 v1beta1; do \
	  python3 $(CONFORMANCE)/check.py --suite webhook --cases $(CONFORMANCE)/istio-1.4 --admission-version $$v \
	    --webhook-server-cmd "$(BIN) serve --injectConfig {inject_config} --meshConfig {mesh} --valuesFile {values} --port {port} --tlsCertFile {cert} --tlsKeyFile {key}" \
	    --webhook-url "https://127.0.0.1:{port}/inject" --insecure || exit 1; \
	done

# Container image and cluster install (needs a Docker engine / a cluster; not used by CI).
VERSION := $(shell grep -o 'sidecar_injector VERSION [0-9.]*' CMakeLists.txt | cut -d' ' -f3)
IMAGE ?= sidecar-injector:$(VERSION)
image:
	docker build -t $(IMAGE) .

# `make deploy KUBECTL="kubectl --context prod"` targets another cluster, APPLY_FLAGS adds
# to the apply (`--dry-run=server`, say). The CRDs go first so they are established before
# anything could use them; manifests/ is ordered by file name.
KUBECTL ?= kubectl
APPLY_FLAGS ?=
deploy:
	$(KUBECTL) apply $(APPLY_FLAGS) -f crds/
	$(KUBECTL) apply $(APPLY_FLAGS) -f manifests/

# The webhook goes first, so pod creation never waits on an injector being removed; the
# namespace takes the Deployment, Service, ConfigMaps, RBAC Role, Lease and CA Secret with it;
# the CRD takes every SidecarDriftReport. Injected sidecars stay until their pods restart.
undeploy:
	$(KUBECTL) delete mutatingwebhookconfiguration sidecar-injector --ignore-not-found
	$(KUBECTL) delete namespace sidecar-injector --ignore-not-found
	$(KUBECTL) delete clusterrolebinding sidecar-injector --ignore-not-found
	$(KUBECTL) delete clusterrole sidecar-injector --ignore-not-found
	$(KUBECTL) delete customresourcedefinition sidecardriftreports.sidecar.injector.dev --ignore-not-found

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR) $(FUZZ_DIR)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i
