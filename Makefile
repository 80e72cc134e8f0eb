# kida-mcp — run `make help` for the targets.
SHELL        := /bin/bash
BIN          := bin/kida-mcp
VERSION      ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS      := -s -w -X main.version=$(VERSION)
STATICCHECK  := honnef.co/go/tools/cmd/staticcheck@v0.8.2
E2E_DIR      := cmd/kida-mcp/testdata/e2e
REPORT_E2E   := tools/report/testdata/browser
GOTEST_FLAGS ?= -count=1
FUZZTIME     ?= 10s

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/kida-mcp
	go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/kida-mcp

.PHONY: run
run: build ## Serve MCP over stdio against your AWS account (ARGS="--region ap-northeast-2")
	$(BIN) serve $(ARGS)

.PHONY: demo
demo: build ## The daily job on the built-in demo fleet (no AWS account): reports in ./reports/, what would be sent in ./outbox/
	$(BIN) report --demo --config examples/kida-demo.yaml

.PHONY: test
test: e2e-deps ## Unit, wire (moto), MCP client and external-client tests
	KIDA_E2E_DIR=$(CURDIR)/$(E2E_DIR) go test $(GOTEST_FLAGS) -race -timeout 12m ./...

.PHONY: test-unit
test-unit: ## Go-only tests (moto and npm tests skip when their tools are missing)
	go test $(GOTEST_FLAGS) ./...

.PHONY: e2e-deps
e2e-deps: ## Install the npm packages the external-client and report browser tests use (local, git-ignored)
	@if [ ! -d $(E2E_DIR)/node_modules/@modelcontextprotocol/sdk ]; then \
		cd $(E2E_DIR) && npm ci --no-audit --no-fund --loglevel=error; fi
	@if [ ! -d $(REPORT_E2E)/node_modules/playwright-core ]; then \
		cd $(REPORT_E2E) && npm ci --no-audit --no-fund --loglevel=error; fi

.PHONY: lint
lint: ## gofmt (fails on any output), go vet, staticcheck
	@out=$$(gofmt -l .); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	go vet ./...
	go run $(STATICCHECK) ./...

.PHONY: test-long
test-long: e2e-deps ## The long variants too: HTTP load 50 sessions × 100 calls, longer fault and security runs
	KIDA_TEST_LONG=1 KIDA_E2E_DIR=$(CURDIR)/$(E2E_DIR) go test $(GOTEST_FLAGS) -timeout 30m ./...

.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (make fuzz FUZZTIME=10s); seeds in testdata/fuzz/
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' cmd tools | sort); do \
		pkg=./$$(dirname $$f); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' $$f | sed 's/^func //'); do \
			echo "== fuzz $$pkg $$t ($(FUZZTIME))"; \
			go test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

.PHONY: bench
bench: build ## One table of the DESIGN.md §11 figures (cold start, full check over a 50 ms proxy, digest, render, RSS, fleet)
	go run ./cmd/kida-mcp/internal/bench -bin $(BIN) $(BENCH_ARGS)

.PHONY: bench-engines
bench-engines: ## The families' Go engine benchmarks (go test -bench)
	go test -run '^$$' -bench . -benchmem -benchtime 20x ./tools/...

.PHONY: docs
docs: build ## Regenerate the README's tool and flag tables from `kida-mcp tools`
	@$(BIN) tools --format markdown > /tmp/kida-tools.md
	@$(BIN) tools --format flags > /tmp/kida-flags.md
	@awk 'BEGIN{skip=0} /<!-- tools:start -->/{print; system("cat /tmp/kida-tools.md"); skip=1; next} /<!-- flags:start -->/{print; system("cat /tmp/kida-flags.md"); skip=1; next} /<!-- (tools|flags):end -->/{skip=0} !skip{print}' README.md > README.md.new && mv README.md.new README.md

.PHONY: snapshots
snapshots: ## Rewrite the tool schema snapshots
	UPDATE_SNAPSHOTS=1 go test -count=1 ./...

.PHONY: tidy-check
tidy-check: ## Fail when go.mod/go.sum are not tidy
	go mod tidy -diff

.PHONY: clean
clean: ## Remove build outputs
	rm -rf bin kida-reports
