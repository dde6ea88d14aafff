# straddle-go: every target works on a fresh clone with only Go and make.
SHELL        := /bin/bash
.SHELLFLAGS  := -o pipefail -c
GO          ?= go
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOFILES      = $(shell git ls-files --cached --others --exclude-standard '*.go')

.PHONY: check generate check-generate lint-spec test lint tidy-check fuzz fuzz-smoke bench bench-smoke

FUZZTIME    ?= 30s
FUZZMINTIME ?= 5s
BENCHCOUNT  ?= 6

## check: everything CI runs (the README's test command).
check: check-generate tidy-check lint-spec lint bench-smoke fuzz-smoke test

## generate: regenerate gen/ from api/openapi.yaml.
generate:
	cd gen && $(GO) generate ./...

## check-generate: regenerate, then fail if gen/ changed or gained files.
check-generate: generate
	@git diff --exit-code --stat -- gen/ || { echo "gen/ is stale: run 'make generate' and commit it"; exit 1; }
	@test -z "$$(git status --porcelain --untracked-files=all -- gen/)" || { git status --short -- gen/; echo "gen/ has files not committed"; exit 1; }

## tidy-check: go.mod and go.sum list exactly what the code needs.
tidy-check:
	$(GO) mod tidy -diff

## lint-spec: load and validate the spec, apply the project rules, check every fixture,
## and compare the spec with Straddle's published one. That comparison needs the reference
## copy in ../shared beside the repository; without it the test skips, and this target
## says so on a SKIPPED line instead of passing in silence (CI stays green).
lint-spec:
	$(GO) test -count=1 -run 'TestSpec|TestFixture' ./api/
	@out=$$($(GO) test -count=1 -v -run '^TestParityWithOfficialSpec$$' ./api/) || { echo "$$out"; exit 1; }; \
	if echo "$$out" | grep -q -- '--- SKIP: TestParityWithOfficialSpec'; then \
		echo "SKIPPED: parity with Straddle's published schemas (TestParityWithOfficialSpec): no reference spec in ../shared beside the repository"; \
	else \
		echo "ok: parity with Straddle's published schemas (TestParityWithOfficialSpec)"; \
	fi

## test: all tests, with the race detector, in random order; first the
## allocation tests alone without it (the race detector's sync.Pool drops
## objects at random, so some of them skip under -race).
test:
	$(GO) test -count=1 -run 'Alloc' ./straddle/...
	$(GO) test -race -shuffle=on ./...

## lint: gofmt, go vet and staticcheck.
lint:
	@unformatted=$$(gofmt -l $(GOFILES)); test -z "$$unformatted" || { echo "gofmt needed: $$unformatted"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## fuzz: run every fuzz target of every package for $(FUZZTIME) each. Go 1.26's
## coordinator can end a clean run with a bare "context deadline exceeded"
## (go.dev/issue/75804): only a failing seed or a new crasher fails a target.
fuzz:
	@for pkg in $$($(GO) list ./...); do \
		for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
			out=$$(mktemp); \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) -fuzzminimizetime $(FUZZMINTIME) $$pkg >$$out 2>&1; rc=$$?; \
			echo "$$pkg $$t: $$(grep -o 'execs: [0-9]*' $$out | tail -n 1)"; \
			if [ $$rc -ne 0 ] && ! { grep -qx '    context deadline exceeded' $$out && ! grep -q 'Failing input written' $$out; }; then \
				cat $$out; rm -f $$out; exit 1; \
			fi; \
			rm -f $$out; \
		done; \
	done

## fuzz-smoke: every fuzz target briefly (3s each), as CI does.
fuzz-smoke: FUZZTIME = 3s
fuzz-smoke: FUZZMINTIME = 1s
fuzz-smoke: fuzz

## bench: the benchmarks as the BENCHMARKS.md table: $(BENCHCOUNT) interleaved
## passes (one run of each benchmark per pass), so a burst of other load on a
## shared machine skews one run of many benchmarks rather than all runs of one.
bench:
	@for i in $$(seq $(BENCHCOUNT)); do \
		$(GO) test -run '^$$' -bench . -benchmem -count 1 ./... || exit 1; \
	done | tee bench.out | $(GO) run ./internal/cmd/benchtable

## bench-smoke: every benchmark once, so none can rot (-short: the emulator
## benchmarks leave out their store of a million customers).
bench-smoke:
	$(GO) test -short -run '^$$' -bench . -benchtime 1x -count 1 ./...
