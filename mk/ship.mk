# Packaging targets: the claude-gate(1) man page, shell completions, the
# documentation and a Debian package. The root Makefile includes this file,
# and its install target depends on install-man and install-completions.
#
#   make man                 build/claude-gate.1
#   make completions         build/completions/{claude-gate.bash,_claude-gate,claude-gate.fish}
#   make deb                 build/claude-gate_VERSION_ARCH.deb
#   make test-deb            installs the package with dpkg-deb -x in a temporary
#                            directory and runs it without the Swift toolchain
#   make install-man install-completions install-docs   honour PREFIX and DESTDIR
#
# The man page and the completion scripts are printed by the release binary
# from the same help catalog as --help, so they always match the binary.

SWIFT ?= swift
PREFIX ?= /usr/local
DESTDIR ?=
BUILD_DIR ?= build
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/claude-gate
BASH_COMPLETION_DIR ?= $(PREFIX)/share/bash-completion/completions
ZSH_COMPLETION_DIR ?= $(PREFIX)/share/zsh/site-functions
FISH_COMPLETION_DIR ?= $(PREFIX)/share/fish/vendor_completions.d

# The release binary with the Swift runtime linked in statically, so that it
# runs on a machine without the Swift toolchain.
SHIP_BIN ?= .build/release/claude-gate
SHIP_COMPLETIONS = $(BUILD_DIR)/completions/claude-gate.bash \
                   $(BUILD_DIR)/completions/_claude-gate \
                   $(BUILD_DIR)/completions/claude-gate.fish
SHIP_DOCS = docs/storage.md docs/file-storage.md docs/migration.md docs/credential-helpers.md \
            docs/security.md $(wildcard README.md)

.PHONY: ship-binary man completions deb test-deb install-man install-completions install-docs

# swift build is incremental, so running it on every make is cheap once the
# binary is up to date.
ship-binary:
	$(SWIFT) build -c release --static-swift-stdlib --product claude-gate

man: $(BUILD_DIR)/claude-gate.1

$(BUILD_DIR)/claude-gate.1: ship-binary
	mkdir -p $(@D)
	$(SHIP_BIN) __generate-man > $@.tmp
	mv $@.tmp $@

completions: $(SHIP_COMPLETIONS)

$(BUILD_DIR)/completions/claude-gate.bash: ship-binary
	mkdir -p $(@D)
	$(SHIP_BIN) completion bash > $@.tmp
	mv $@.tmp $@

$(BUILD_DIR)/completions/_claude-gate: ship-binary
	mkdir -p $(@D)
	$(SHIP_BIN) completion zsh > $@.tmp
	mv $@.tmp $@

$(BUILD_DIR)/completions/claude-gate.fish: ship-binary
	mkdir -p $(@D)
	$(SHIP_BIN) completion fish > $@.tmp
	mv $@.tmp $@

install-man: $(BUILD_DIR)/claude-gate.1
	install -d $(DESTDIR)$(MANDIR)/man1
	install -m 644 $(BUILD_DIR)/claude-gate.1 $(DESTDIR)$(MANDIR)/man1/claude-gate.1

install-completions: $(SHIP_COMPLETIONS)
	install -d $(DESTDIR)$(BASH_COMPLETION_DIR) $(DESTDIR)$(ZSH_COMPLETION_DIR) $(DESTDIR)$(FISH_COMPLETION_DIR)
	install -m 644 $(BUILD_DIR)/completions/claude-gate.bash $(DESTDIR)$(BASH_COMPLETION_DIR)/claude-gate
	install -m 644 $(BUILD_DIR)/completions/_claude-gate $(DESTDIR)$(ZSH_COMPLETION_DIR)/_claude-gate
	install -m 644 $(BUILD_DIR)/completions/claude-gate.fish $(DESTDIR)$(FISH_COMPLETION_DIR)/claude-gate.fish

install-docs:
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 $(SHIP_DOCS) $(DESTDIR)$(DOCDIR)/

deb: ship-binary $(BUILD_DIR)/claude-gate.1 $(SHIP_COMPLETIONS)
	scripts/build-deb.sh $(SHIP_BIN) $(BUILD_DIR) $(SHIP_DOCS)

test-deb: deb
	scripts/test-deb.sh "$$(ls -t $(BUILD_DIR)/claude-gate_*.deb | head -n 1)"
