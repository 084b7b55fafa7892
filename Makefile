# MediaMTX Monitor: `make run` starts the whole stack natively, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.package-lock.json

.PHONY: help install build run test bench clean

help:
	@echo "make run    install, build and start the whole stack (dashboard on http://localhost:8080)"
	@echo "make test   install what the tests need and run them all"
	@echo "make bench  API and collector benchmarks"

$(NPM_STAMP): package-lock.json
	npm ci --no-audit --no-fund

install: $(NPM_STAMP)

build: install
	npm run build

run: build
	@scripts/system-deps.sh run
	@scripts/run.sh

test: build
	@scripts/system-deps.sh test
	npx tsc -p tsconfig.test.json
	@scripts/test.sh

bench: build
	@scripts/system-deps.sh bench
	@scripts/bench.sh

clean:
	npm run clean
	rm -rf .run
