# Build, test and install claude-gate. See README.md.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SWIFT ?= swift

# The installed binary links the Swift standard library statically, so it
# runs on machines without the Swift toolchain; libdbus and libcrypto stay
# shared system libraries.
RELEASE_FLAGS = -c release --static-swift-stdlib --product claude-gate

.PHONY: all build debug test install uninstall clean

all: build

build:
	$(SWIFT) build $(RELEASE_FLAGS)

debug:
	$(SWIFT) build

# Runs every test against a private bus and gnome-keyring that
# scripts/test-keyring.sh starts and stops; nothing touches the user's
# session bus, keyring or HOME. The tests are XCTest cases; Swift Testing is
# turned off so that the runner's last line counts the XCTest cases.
test:
	$(SWIFT) build --build-tests
	scripts/test-keyring.sh $(SWIFT) test --skip-build --disable-swift-testing

install: build
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/claude-gate" $(DESTDIR)$(BINDIR)/claude-gate

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/claude-gate

clean:
	rm -rf .build build
