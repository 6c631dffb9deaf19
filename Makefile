# relance — run `make help` for the list of targets.
SHELL := /bin/bash
GO    ?= go
BIN   := bin/relance
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.DEFAULT_GOAL := help

.PHONY: help
help: ## List every target with what it does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: deps
deps: ## Install missing system packages (PostgreSQL, poppler-utils) with apt-get when root
	@scripts/install-deps.sh

.PHONY: deps-browser
deps-browser: ## deps, and Chromium for the browser tests
	@WITH_CHROMIUM=1 scripts/install-deps.sh

.PHONY: build
build: ## Build bin/relance
	$(GO) build -o $(BIN) ./cmd/relance

.PHONY: test
test: deps-browser ## Run every test, database and browser ones included, with the race detector
	$(GO) test -race -count=1 -timeout 30m ./...

.PHONY: screenshots
screenshots: deps-browser ## Retake docs/screenshots (aged balance, client page, KPIs) from the browser tests
	RELANCE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(GO) test -count=1 -run 'TestBrowserAgedBalance|TestBrowserDisputeFromTheClientPage|TestBrowserKPIPage' ./cmd/relance

.PHONY: demo
demo: deps build ## Run relance on a private PostgreSQL with a generated French portfolio
	$(BIN) demo

.PHONY: bench
bench: deps build ## Measure against same-run baselines, draw the cost curves (docs/bench/*.svg), write BENCHMARKS.md (~12 min)
	$(GO) test -run '^$$' -bench . -benchmem -count 6 ./plans ./internal/penalty ./templates | tee bin/micro-bench.txt
	$(GO) run ./bench -relance $(BIN) -out BENCHMARKS.md -micro bin/micro-bench.txt

.PHONY: bench-quick
bench-quick: deps build ## A quick pass of bench (1 run, 200k invoices, curves to 200k) into bin/, for iterating (~4 min)
	$(GO) run ./bench -relance $(BIN) -quick -out bin/BENCHMARKS-quick.md -curves-dir bin/bench-curves

.PHONY: reliability
reliability: deps ## Fault suite's long variants, TestHostile* and every fuzz target; writes RELIABILITY.md (~8 min)
	GO=$(GO) $(GO) run ./reliability -out RELIABILITY.md -fuzztime 20s

.PHONY: lint
lint: ## go vet, gofmt and staticcheck
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) run $(STATICCHECK) ./...

.PHONY: fuzz
fuzz: ## Run each fuzz target for 30s beyond its seed corpus
	@for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime 30s $$pkg || exit 1; \
		done; \
	done

.PHONY: clean
clean: ## Remove build output
	rm -rf bin
