# tcpipc — see README.md. `make demo` and `make test` are the two commands
# a fresh machine with Go needs.

GO      ?= go
BIN     ?= bin/tcpipc
FIGURE9 := testdata/profiles/figure9

# Packages with goroutines, locks or timers run under the race detector.
RACE_PKGS := ./internal/clock/... ./internal/pump/... ./internal/testkit/memnet/... ./internal/esp/... ./internal/natt/... ./internal/ike/... ./runtime/...

# Fuzz targets, as package:Target, for `make fuzz`.
FUZZ_TARGETS := ./cmd/tcpipc:FuzzCommunityNeverPrinted ./cmd/tcpipc:FuzzSecretNeverPrinted ./diag:FuzzWriteTextVisible ./display:FuzzDisplay ./grammar/policy:FuzzParse ./grammar/policy:FuzzPolicyDescentAgrees ./grammar/policy:FuzzRedaction ./grammar/profile:FuzzDescentAgreesWithParticiple ./grammar/profile:FuzzLex ./grammar/profile:FuzzParse ./grammar/profile:FuzzWindowAgrees ./grammar/profile:FuzzWriteIndentedJSON ./grammar/tcpipdata:FuzzParse ./internal/esp:FuzzDecap ./internal/ike/certid:FuzzDN ./internal/ike/ikecrypto:FuzzVerifyAuth ./internal/ike/ikesa:FuzzCookie ./internal/ike/ikesa:FuzzHandleDatagram ./internal/ike/ikesa:FuzzVerifyPeerAuth ./internal/ike/wire:FuzzDecodeMessage ./internal/natt:FuzzClassify ./internal/pemfile:FuzzPEM ./model:FuzzIncludeConfined ./model:FuzzPolicyValues ./model:FuzzReadManifest ./plan:FuzzReadPlan ./runtime/control:FuzzControlRequest ./runtime/ipsec:FuzzHandleDatagram ./runtime/ipsec:FuzzHandleESP ./runtime/ipsec:FuzzInboundPolicy ./runtime/ipsec:FuzzOutbound ./runtime/lan:FuzzParseESP ./runtime/netstack:FuzzForward ./runtime/swsa:FuzzDecodeRecord ./runtime/xcf:FuzzParseFrame ./scenario/scenarioyaml:FuzzParse ./whatif:FuzzDerive
FUZZTIME ?= 20s

.PHONY: build test update bench fuzz demo clean strongswan6

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
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./grammar/... ./verify/...
	$(GO) test -run '^$$' -bench ParseCommand -benchmem -benchtime 3x ./cmd/tcpipc
	$(GO) test -run '^$$' -bench . -benchmem ./internal/esp/... ./internal/ike/...
	$(GO) test -run '^$$' -bench . -benchmem ./runtime/link ./runtime/xcf
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 200x ./runtime/swsa
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 3x ./runtime/sysplex

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; target=$${t##*:}; \
		if [ -d "$$pkg" ]; then \
			echo "fuzz $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$target$$" -fuzztime $(FUZZTIME) "$$pkg"; \
		fi; \
	done

# The demo: what tcpipc understands of the bundled figure 9 sysplex, what
# lint finds in a broken copy of it, what whatif predicts for a failure of
# MVS1, the takeover itself run for real on the embedded sysplex, the
# sysplex's IPsec policy protecting DVA1's connections, and a takeover and
# takeback with the IPsec clients' SAs recovered through the coupling
# facility.
demo: build
	@echo "== The model of the figure 9 sysplex =="
	@$(BIN) model $(FIGURE9)
	@echo
	@echo "== tcpipc lint $(FIGURE9) =="
	@$(BIN) lint $(FIGURE9)
	@echo
	@echo "== tcpipc lint testdata/profiles/broken-swsa: every problem in one run =="
	@$(BIN) lint testdata/profiles/broken-swsa || true
	@echo
	@echo "== tcpipc whatif: MVS1 fails, then recovers =="
	@$(BIN) whatif $(FIGURE9) --fail MVS1 --recover MVS1
	@echo
	@echo "== tcpipc run: the figure 9 takeover, 300 connections, MVS1 fails and recovers =="
	@$(BIN) run --scenario testdata/scenarios/figure9-takeover.yaml
	@echo
	@echo "== tcpipc run: the figure 9 IPsec policy on the packet path (IKEv2, ESP, distribution) =="
	@$(BIN) run --scenario testdata/scenarios/figure9-ipsec.yaml
	@echo
	@echo "== tcpipc run: Sysplex-Wide Security Associations, 120 IPsec clients, MVS1 fails and recovers =="
	@$(BIN) run --scenario testdata/scenarios/figure9-swsa.yaml

# The Debian trixie root with strongSwan 6 that the plain-ESP interop tests
# run charon from (root needed; TCPIPC_STRONGSWAN6_ROOT overrides
# /var/cache/tcpipc/strongswan6). .ci/run builds it under CI=true.
strongswan6:
	.ci/strongswan6-root

clean:
	rm -rf bin
