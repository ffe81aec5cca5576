# podctl: `make demo` and `make test` do all their own set-up (see scripts/setup.sh).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

TSC := node_modules/.bin/tsc
TS_SOURCES := $(shell find src e2e bench -name '*.ts' 2>/dev/null)
PAUSE := images/pause/pause
BUILD_STAMP := dist/.build-stamp
# The CLI's esbuild bundle and its V8 code cache (bin/load-cli.cjs prefers it; dist/src stays the library and the fallback).
BUNDLE := dist/cli/podctl.cjs
# The OpenAPI definitions the API serves, generated from kubernetes-types' declarations.
OPENAPI := dist/openapi/definitions.json
# tap ends with `# pass N` / `# fail N`, the same on a terminal and in CI logs.
export TEST_REPORTER ?= tap
NODE_TEST := node --import tsx --test --test-concurrency=1 --test-reporter=$(TEST_REPORTER)

.PHONY: setup build typecheck demo test unit e2e bench clean

# The tests also run the e2e core on podman's API (e2e/engines.test.ts), so their set-up adds
# podman: a target-specific variable, which make passes on to the `setup` they depend on.
setup:
	@scripts/setup.sh $(SETUP_FLAGS)
test e2e: SETUP_FLAGS := --with-podman

build: $(PAUSE) $(BUILD_STAMP) $(BUNDLE) $(OPENAPI)

$(OPENAPI): scripts/generate-openapi.mjs package-lock.json
	node scripts/generate-openapi.mjs $@

# Rebuild only when a source, the compiler options or the dependencies changed.
$(BUILD_STAMP): $(TS_SOURCES) tsconfig.json package-lock.json
	$(TSC) -p tsconfig.json
	@touch $@

$(BUNDLE): $(BUILD_STAMP) $(TS_SOURCES) package-lock.json scripts/bundle-cli.mjs scripts/bundle/left-out-module.cjs bin/load-cli.cjs
	node scripts/bundle-cli.mjs

# podctl's own pause, static so that its image is one file.
$(PAUSE): images/pause/pause.c
	cc -static -Os -s -o $@ $<

typecheck:
	$(TSC) --noEmit -p tsconfig.json

demo: setup
	@bin/podctl rm -f demo >/dev/null 2>&1 || true
	bin/podctl run --image nginx --name demo --wait
	@ip=$$(bin/podctl inspect demo -o json | node -e ' \
	  const data = JSON.parse(require("fs").readFileSync(0, "utf8")); \
	  const pod = Array.isArray(data) ? data[0] : data; \
	  console.log(String(pod.ips[0]).split("/")[0]);'); \
	echo "pod demo has IP $$ip; curl http://$$ip/ answers:"; \
	curl -fsS "http://$$ip/"; \
	echo "follow a request to it: bin/podctl trace host demo; draw the network: bin/podctl net graph"; \
	echo "remove the pod with: bin/podctl rm -f demo"

# Unit tests (beside the code) first, then the end-to-end tests on the real engine; one
# closing line counts both.
test: setup typecheck
	@scripts/run-tests.sh

# The unit tests in two processes of half the files each (see scripts/unit-tests.ts).
UNIT_SHARDS := scripts/unit-shard-0.ts scripts/unit-shard-1.ts
unit:
	node --import tsx --test --test-concurrency=2 --test-reporter=$(TEST_REPORTER) $(UNIT_SHARDS)

e2e: setup
	node --import tsx e2e/harness/clean-host.ts
	$(NODE_TEST) $$(find e2e -name '*.test.ts' | sort)

bench: setup
	node --import tsx bench/run.ts

clean:
	rm -rf dist $(PAUSE)
