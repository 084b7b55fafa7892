# MediaMTX Monitor: `make run` starts the whole stack natively, `make up` with Docker Compose,
# `make test` runs every test (the native end-to-end suite included).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_STAMP := node_modules/.package-lock.json
COMPOSE ?= docker compose

.PHONY: help install build run test bench e2e e2e-native up down logs clean

help:
	@echo "make run         install, build and start the whole stack natively (dashboard on http://localhost:8080)"
	@echo "make test        install what the tests need and run them all, then make e2e-native"
	@echo "make bench       API, collector and WebSocket fan-out benchmarks"
	@echo "make e2e         on a Docker host: compose up with the bundled MediaMTX, wait for health, end-to-end suite, tear down"
	@echo "make e2e-native  the same end-to-end suite against the native stack on loopback (emulator, ffmpeg, nginx)"
	@echo "make up          docker compose up: build and start the stack in the background (dashboard on :8080)"
	@echo "make down        docker compose down: stop and remove the stack's containers"
	@echo "make logs        follow the Compose stack's logs"
	@echo "make clean       remove build outputs and .run/"

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
	npx tsc -p e2e/tsconfig.json
	@scripts/test.sh
	@$(MAKE) --no-print-directory e2e-native

bench: build
	@scripts/system-deps.sh bench
	@scripts/bench.sh

e2e: install
	@scripts/e2e.sh

e2e-native: install
	@scripts/system-deps.sh test
	@scripts/e2e-native.sh

up:
	$(COMPOSE) up --detach --build --wait

down:
	$(COMPOSE) down

logs:
	$(COMPOSE) logs --follow --tail 100

clean:
	npm run clean
	rm -rf .run
