# tcpipc — see README.md. `make demo` and `make test` are the two commands
# a fresh machine with Go needs.

GO      ?= go
BIN     ?= bin/tcpipc
FIGURE9 := testdata/profiles/figure9

# Packages with goroutines, locks or timers run under the race detector.
RACE_PKGS := ./internal/clock/... ./internal/esp/... ./internal/natt/... ./internal/ike/...

# Fuzz targets, as package:Target, for `make fuzz`.
FUZZ_TARGETS := ./grammar/profile:FuzzParse ./internal/esp:FuzzDecap ./internal/natt:FuzzClassify ./internal/ike/wire:FuzzDecodeMessage
FUZZTIME ?= 20s

.PHONY: build test update bench fuzz demo clean

build:
	$(GO) build -o $(BIN) ./cmd/tcpipc

test:
	$(GO) vet ./...
	$(GO) test ./...
	$(GO) test -race $(RACE_PKGS)

# Rewrite every golden file and pinned grammar from the current code.
update:
	TCPIPC_UPDATE=1 $(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./grammar/...
	$(GO) test -run '^$$' -bench . -benchmem ./internal/esp/... ./internal/ike/...

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; target=$${t##*:}; \
		if [ -d "$$pkg" ]; then \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) "$$pkg"; \
		fi; \
	done

# Until the runtime exists the demo parses the bundled figure 9 sysplex and
# reports on it.
demo: build
	@echo "== The five stacks of figure 9 (seed 003), one line each =="
	@$(BIN) parse --format summary $(FIGURE9)/MVS*/PROFILE.TCPIP
	@echo
	@echo "== MVS1, the routing stack for DVA1: its syntax tree =="
	@$(BIN) parse $(FIGURE9)/MVS1/PROFILE.TCPIP

clean:
	rm -rf bin
