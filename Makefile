# Developer entry points; `make` alone lists them. CI runs `make ci` (.ci/run).
.DEFAULT_GOAL := help

# The local PostgreSQL that test-pg uses unless SALESFLOW_TEST_POSTGRES_URL is already set.
PG_URL := postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: help build test test-pg lint bench run fuzz ci

help: ## list the targets
	@awk 'BEGIN { FS = ":.*## " } /^[a-z-]+:.*## / { printf "  %-8s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

build: ## compile every package
	go build ./...

test: ## run the tests; PostgreSQL tests skip unless SALESFLOW_TEST_POSTGRES_URL is set
	go test -count=1 ./...

test-pg: ## run the tests on SQLite and the local PostgreSQL (or SALESFLOW_TEST_POSTGRES_URL)
	SALESFLOW_TEST_POSTGRES_URL="$${SALESFLOW_TEST_POSTGRES_URL:-$(PG_URL)}" go test -count=1 ./...

lint: ## go vet and a gofmt check
	go vet ./...
	@out="$$(gofmt -l .)"; if [ -n "$$out" ]; then echo "these files need gofmt:"; echo "$$out"; exit 1; fi

bench: ## run the benchmarks
	go test -run '^$$' -bench . -benchmem ./...

run: ## start the server with demo data
	go run ./cmd/salesflow serve --demo

fuzz: ## fuzz lead creation through the API for a minute
	go test -run '^$$' -fuzz FuzzCreateLeadJSON -fuzztime 60s ./internal/httpapi/

ci: ## what CI runs: build, vet, gofmt, all tests on both databases, race on the store
	bash .ci/run
