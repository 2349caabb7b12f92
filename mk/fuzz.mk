# libFuzzer targets and the AddressSanitizer test run. The root Makefile
# includes this file.
#
#   make fuzz          build the fuzz targets and run each for FUZZ_SECONDS (default 300)
#   make fuzz-ci       the same for 30 seconds each, for CI
#   make fuzz-build    only build them, into .build/fuzz
#   make test-asan     build the tests with AddressSanitizer and run them on the private keyring
#
# Fuzz targets: FuzzDBusMessage (DBusMessage.demarshal, arguments() and the
# --dump-dbus formatting), FuzzCommandLine (global flags, command
# resolution, option parsing and the CLAUDE_GATE_* settings), and
# claude-gate-fuzz (the auth.json parsers: format detection, the plain
# document and the password-encrypted JWE), which scripts/fuzz.sh runs. Their seed
# inputs are in Tests/Fuzz/corpus/TARGET, which libFuzzer only reads; new
# inputs go to build/fuzz/corpus/TARGET, and a crash input to
# build/fuzz/crashes/TARGET/. Copy a crash input into Tests/Fuzz/crashes/TARGET/
# once it is fixed, so that FuzzCorpusTests replays it in every test run.

SWIFT ?= swift
FUZZ_SECONDS ?= 300
FUZZ_TARGETS = FuzzDBusMessage FuzzCommandLine
# A scratch path of their own, so that instrumented objects never end up
# in the release binary that make build and make deb produce.
FUZZ_BUILD_FLAGS = -c release --scratch-path .build/fuzz --sanitize=fuzzer \
                   -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
FUZZ_BIN = .build/fuzz/release
# libFuzzer options: -timeout is seconds per input, and -rss_limit_mb keeps
# one run from taking the memory of a shared two-core machine.
FUZZ_OPTIONS = -timeout=10 -rss_limit_mb=2048 -print_final_stats=1

# Directory names under Tests/Fuzz/corpus and build/fuzz for each target.
CORPUS_FuzzDBusMessage = dbus-message
CORPUS_FuzzCommandLine = command-line
MAX_LEN_FuzzDBusMessage = 8192
MAX_LEN_FuzzCommandLine = 1024

.PHONY: fuzz fuzz-ci fuzz-build test-asan

# One product at a time: the machine has two cores shared with other work.
fuzz-build:
	for target in $(FUZZ_TARGETS); do \
		$(SWIFT) build $(FUZZ_BUILD_FLAGS) --product $$target || exit 1; \
	done

fuzz: fuzz-build
	$(MAKE) fuzz-run FUZZ_SECONDS=$(FUZZ_SECONDS)
	SWIFT=$(SWIFT) scripts/fuzz.sh $(FUZZ_SECONDS)

fuzz-ci: fuzz-build
	$(MAKE) fuzz-run FUZZ_SECONDS=30
	SWIFT=$(SWIFT) scripts/fuzz.sh 30

# Swift's own crash backtracer is turned off, so that libFuzzer's handler
# reports the crash and writes the input that caused it.
.PHONY: fuzz-run
fuzz-run:
	for target in $(FUZZ_TARGETS); do \
		case $$target in \
			FuzzDBusMessage) name=$(CORPUS_FuzzDBusMessage); max_len=$(MAX_LEN_FuzzDBusMessage);; \
			FuzzCommandLine) name=$(CORPUS_FuzzCommandLine); max_len=$(MAX_LEN_FuzzCommandLine);; \
		esac; \
		mkdir -p build/fuzz/corpus/$$name build/fuzz/crashes/$$name; \
		echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
		SWIFT_BACKTRACE=enable=no $(FUZZ_BIN)/$$target $(FUZZ_OPTIONS) \
			-max_total_time=$(FUZZ_SECONDS) -max_len=$$max_len \
			-artifact_prefix=build/fuzz/crashes/$$name/ \
			build/fuzz/corpus/$$name Tests/Fuzz/corpus/$$name || exit 1; \
	done

# AddressSanitizer over the whole test suite, with its own scratch path for
# the same reason as the fuzz targets. The tests run the claude-gate binary
# of this build, so the CLI runs instrumented, with leak detection.
#
# Leak detection is off in the test process itself, because XCTest keeps
# every test case object until exit and String(contentsOfFile:) in
# FoundationEssentials (Swift 6.3.1) leaks its read buffer; both are
# reported as leaks at exit. The claude-gate processes that the tests start
# get an environment of their own without ASAN_OPTIONS, so they keep it.
test-asan:
	$(SWIFT) build --build-tests --scratch-path .build/asan --sanitize=address
	CLAUDE_GATE_BINARY=$(CURDIR)/.build/asan/debug/claude-gate SWIFT_BACKTRACE=enable=no \
		ASAN_OPTIONS=detect_leaks=0 \
		scripts/test-keyring.sh $(SWIFT) test --skip-build --scratch-path .build/asan \
		--sanitize=address --disable-swift-testing
