# Build, test and install claude-gate. See README.md.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SWIFT ?= swift

# The installed binary links the Swift standard library statically, so it
# runs on machines without the Swift toolchain; libdbus and libcrypto stay
# shared system libraries, opened with dlopen on first use.
RELEASE_FLAGS = -c release --static-swift-stdlib --product claude-gate

.PHONY: all build debug test bench install uninstall clean

# Man page, completions, docs and the Debian package.
include mk/ship.mk
# libFuzzer targets (make fuzz, make fuzz-ci) and make test-asan.
include mk/fuzz.mk

all: build

build:
	$(SWIFT) build $(RELEASE_FLAGS)

debug:
	$(SWIFT) build

# Runs every test against a private bus and gnome-keyring that
# scripts/test-keyring.sh starts and stops; nothing touches the user's
# session bus, keyring or HOME. The tests are XCTest cases; Swift Testing is
# turned off so that the runner's last line counts the XCTest cases.
# The Debian package test builds the release binary and runs it from an
# unpacked package without the Swift toolchain. It runs first, so that the
# last line of the output is XCTest's count of the tests run.
test:
	$(MAKE) test-deb
	$(SWIFT) build --build-tests
	scripts/test-keyring.sh $(SWIFT) test --skip-build --disable-swift-testing


# Compares claude-gate with secret-tool and Python clients on a private
# gnome-keyring and writes docs/benchmarks.md and docs/benchmarks.png.
# Needs python3-matplotlib and python3-keyring besides the test dependencies.
bench: build
	$(SWIFT) build -c release --product claude-gate-bench
	CLAUDE_GATE_BINARY="$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/claude-gate" \
	CLAUDE_GATE_BENCH_BINARY="$$($(SWIFT) build -c release --show-bin-path)/claude-gate-bench" \
	scripts/test-keyring.sh /usr/bin/python3 bench/run_bench.py

install: build install-man install-completions install-docs
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/claude-gate" $(DESTDIR)$(BINDIR)/claude-gate

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/claude-gate

clean:
	rm -rf .build build
