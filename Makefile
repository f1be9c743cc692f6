# Entry points. Every target that builds first makes sure the Debian packages are present,
# so a fresh machine needs nothing but `make run` or `make test`.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
# The parsers of untrusted input; `sanitized_tests` builds every sanitizer-ready test.
ASAN_TARGETS ?= common_tests template_tests kube_tests inject_tests
FUZZ_DIR ?= build-fuzz
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 60
CONFORMANCE ?= ../shared/conformance
BIN := $(BUILD_DIR)/sidecar-injector

.PHONY: all deps configure build test asan-test bench fuzz run conformance clean format image deploy undeploy

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The main job on the embedded default: kube-inject the sleep sample with the built-in template.
run: build
	@$(BIN) kube-inject -f samples/sleep.yaml

test: build
	@ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

# The engine and core under ASan+UBSan (the parts that parse untrusted input).
asan-test: deps
	@cmake -S . -B $(ASAN_DIR) -DCMAKE_BUILD_TYPE=Debug -DSIDECAR_SANITIZE=ON -DSIDECAR_BENCH=OFF >/dev/null
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target $(ASAN_TARGETS)
	@ctest --test-dir $(ASAN_DIR) --output-on-failure -j $(JOBS) -L sanitized

bench: build
	@for b in $$(find $(BUILD_DIR)/bench -name '*_bench' -type f -perm -u+x | sort); do echo "== $$b"; $$b || exit 1; done

# libFuzzer targets with ASan/UBSan, each for FUZZ_SECONDS.
fuzz: deps
	@CXX=clang++ cmake -S . -B $(FUZZ_DIR) -DCMAKE_BUILD_TYPE=Debug -DSIDECAR_FUZZ=ON -DSIDECAR_TESTS=OFF -DSIDECAR_BENCH=OFF >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS)
	@for f in $$(find $(FUZZ_DIR)/fuzz -name '*_fuzz' -type f -perm -u+x | sort); do \
	  name=$$(basename $$f); mkdir -p fuzz/corpus-run/$$name; \
	  echo "== $$name for $(FUZZ_SECONDS)s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 fuzz/corpus-run/$$name fuzz/corpus/$$name || exit 1; \
	done

# Istio's own golden cases (shared corpus, not part of this repository).
conformance: build
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
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)

format:
	@git ls-files '*.h' '*.cc' | xargs clang-format -i
