import Foundation
import XCTest

/// libdbus-1 and libcrypto are opened with dlopen when first called. These
/// tests check which commands load them, through the dynamic loader's
/// LD_DEBUG=files trace, and what a missing library does, by hiding it in a
/// private mount namespace visible only to the command under test.
final class LazyLibraryTests: XCTestCase {
    private static let libdbus = "libdbus-1.so.3"
    private static let libcrypto = "libcrypto.so.3"

    func testVersionLoadsNeitherLibrary() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let version = try sandbox.run(["--version"], extraEnvironment: ["LD_DEBUG": "files"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertEqual(loadedLibraries(version), [])
    }

    func testPlainFileCommandsLoadNeitherLibrary() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let file = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file", "LD_DEBUG": "files"]
        let login = try sandbox.run(["auth", "login"], stdin: "plain-file-key\n", extraEnvironment: file)
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertEqual(loadedLibraries(login), [])

        let token = try sandbox.run(["auth", "token"], extraEnvironment: file)
        XCTAssertEqual(token.stdoutText, "plain-file-key\n")
        XCTAssertEqual(loadedLibraries(token), [])
    }

    func testEncryptedFileLoadsOnlyLibcrypto() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let login = try sandbox.run(["auth", "login"], stdin: "encrypted-file-key\n", extraEnvironment: [
            "CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
            "CLAUDE_GATE_MASTER_PASSWORD": "lazy-library-password",
            "LD_DEBUG": "files",
        ])
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertEqual(loadedLibraries(login), [Self.libcrypto])
    }

    func testKeyringTokenLoadsBothLibraries() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        let keyring = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring"]
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: "keyring-key\n", extraEnvironment: keyring).status, 0)

        let token = try sandbox.run(["auth", "token"], extraEnvironment: keyring.merging(["LD_DEBUG": "files"]) { $1 })
        XCTAssertEqual(token.stdoutText, "keyring-key\n")
        XCTAssertEqual(loadedLibraries(token), [Self.libcrypto, Self.libdbus])
    }

    func testMissingLibdbusAutoUsesFile() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        let login = try runHidingLibrary(Self.libdbus, sandbox, ["auth", "login"], stdin: "no-libdbus-key\n")
        XCTAssertEqual(login.status, 0, login.stderr)
        XCTAssertTrue(login.stderr.contains("warning: the keyring is not usable (cannot load \(Self.libdbus)"), login.stderr)
        XCTAssertTrue(login.stderr.contains("libdbus-1-3"), login.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testMissingLibdbusFailsInKeyringMode() throws {
        let sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        let login = try runHidingLibrary(Self.libdbus, sandbox, ["auth", "login"], stdin: "never-stored\n",
                                         extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "keyring"])
        XCTAssertEqual(login.status, 4, login.stderr)
        XCTAssertTrue(login.stderr.contains("cannot load \(Self.libdbus)"), login.stderr)
        XCTAssertTrue(login.stderr.contains("CLAUDE_GATE_AUTH_STORAGE_TYPE=file"), login.stderr)
        XCTAssertFalse(login.stderr.contains("Unlock or start your keyring"), login.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testLibcryptoWithoutFunctionStopsWithMessage() throws {
        // libdbus-1 in place of libcrypto opens, but has none of its functions.
        let sandbox = try CLISandbox(self, busAddress: nil)
        let replacement = try resolvedLibraryPath(Self.libdbus)
        let login = try runReplacingLibrary(Self.libcrypto, with: replacement, sandbox, ["auth", "login"],
                                            stdin: "never-stored\n", extraEnvironment: [
                                                "CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
                                                "CLAUDE_GATE_MASTER_PASSWORD": "lazy-library-password",
                                            ])
        XCTAssertEqual(login.status, 1, login.stderr)
        XCTAssertTrue(login.stderr.contains("\(Self.libcrypto) has no function "), login.stderr)
        XCTAssertTrue(login.stderr.contains("libssl3"), login.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: sandbox.authFilePath))
    }

    func testMissingLibcryptoStopsBeforeChangingTheFile() throws {
        let sandbox = try CLISandbox(self, busAddress: nil)
        let encrypted = ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "file", "CLAUDE_GATE_MASTER_PASSWORD": "lazy-library-password"]
        XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: "kept-key\n", extraEnvironment: encrypted).status, 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: sandbox.authFilePath))

        let login = try runHidingLibrary(Self.libcrypto, sandbox, ["auth", "login", "--provider", "other"],
                                         stdin: "other-key\n", extraEnvironment: encrypted)
        XCTAssertEqual(login.status, 1, login.stderr)
        XCTAssertTrue(login.stderr.contains("cannot load \(Self.libcrypto)"), login.stderr)
        XCTAssertTrue(login.stderr.contains("libssl3"), login.stderr)
        XCTAssertFalse(login.stderr.contains("other-key"), login.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: sandbox.authFilePath)), before)
    }

    func testForwardingArgumentsMatchParameters() throws {
        // The compiler checks each forwarding function's parameter types
        // against the library's header, but not that the argument list passes
        // the parameters in the same order.
        let lists = ["Sources/CDBusLoader/libdbus_functions.h", "Sources/CCrypto/libcrypto_functions.h"]
        for list in lists {
            let path = TestEnvironment.packageRoot.appendingPathComponent(list).path
            let entries = forwardingEntries(in: try String(contentsOfFile: path, encoding: .utf8))
            XCTAssertGreaterThan(entries.count, 40, list)
            for entry in entries {
                XCTAssertEqual(entry.arguments, entry.parameterNames, "\(list): \(entry.name)")
            }
        }
    }

    /// Returns the sonames of libdbus-1 and libcrypto that the dynamic loader
    /// reports loading in an LD_DEBUG=files trace, sorted.
    private func loadedLibraries(_ result: CLIResult) -> [String] {
        let loaded = result.stderr.split(separator: "\n").compactMap { line -> String? in
            guard let range = line.range(of: "file=") else { return nil }
            let name = line[range.upperBound...].prefix { $0 != " " && $0 != "\t" }
            return [Self.libdbus, Self.libcrypto].contains(String(name)) ? String(name) : nil
        }
        return Array(Set(loaded)).sorted()
    }

    /// Runs the binary with the file behind `soname` covered by an empty
    /// file, so dlopen fails as it would on a machine without the library.
    private func runHidingLibrary(_ soname: String, _ sandbox: CLISandbox, _ arguments: [String],
                                  stdin: String, extraEnvironment: [String: String] = [:]) throws -> CLIResult {
        try runReplacingLibrary(soname, with: "/dev/null", sandbox, arguments, stdin: stdin,
                                extraEnvironment: extraEnvironment)
    }

    /// Runs the binary in a new user and mount namespace in which the file
    /// behind `soname` is covered by `replacement`. Skips the test where the
    /// kernel or the container does not allow such namespaces.
    private func runReplacingLibrary(_ soname: String, with replacement: String, _ sandbox: CLISandbox,
                                     _ arguments: [String], stdin: String,
                                     extraEnvironment: [String: String] = [:]) throws -> CLIResult {
        let libraryPath = try resolvedLibraryPath(soname)
        let replace = "mount --bind \"$0\" \"$1\" || { echo 'replace-library: mount failed' >&2; exit 125; }; "
            + "shift; exec \"$@\""
        let result = try runProcess("/usr/bin/unshare",
                                    ["--map-root-user", "--mount", "/bin/sh", "-c", replace, replacement, libraryPath,
                                     TestEnvironment.binaryPath] + arguments,
                                    environment: sandbox.environment.merging(extraEnvironment) { $1 },
                                    stdin: Data(stdin.utf8))
        if result.stderr.hasPrefix("unshare:") || result.stderr.contains("replace-library: mount failed") {
            throw XCTSkip("cannot replace \(soname) in a private mount namespace here: \(result.stderr)")
        }
        return result
    }

    /// One LAZY_FUNCTION or LAZY_VOID_FUNCTION entry of a function list.
    private struct ForwardingEntry {
        var name: String
        var parameterNames: [String]
        var arguments: [String]
    }

    /// Parses a function list, whose entries have the name on the first line,
    /// the parenthesized parameter list on the second and the argument list on
    /// the third.
    private func forwardingEntries(in text: String) -> [ForwardingEntry] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var entries: [ForwardingEntry] = []
        for (index, line) in lines.enumerated() where line.hasPrefix("LAZY_") {
            guard index + 2 < lines.count else {
                XCTFail("the function list ends inside the entry '\(line)'")
                break
            }
            let name = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .last { !$0.isEmpty } ?? line
            let parameters = innerList(lines[index + 1])
            let parameterNames = parameters == ["void"] ? [] : parameters.map(lastIdentifier)
            entries.append(ForwardingEntry(name: name, parameterNames: parameterNames,
                                           arguments: innerList(lines[index + 2])))
        }
        return entries
    }

    /// Returns the comma-separated items of one parenthesized list line of an
    /// entry, such as "(ctx, pad))".
    private func innerList(_ line: String) -> [String] {
        var text = line.trimmingCharacters(in: .whitespaces)
        while text.hasSuffix(",") || text.hasSuffix(")") { text.removeLast() }
        if text.hasPrefix("(") { text.removeFirst() }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    /// Returns the parameter name in a C parameter declaration such as
    /// "const OSSL_PARAM params[]".
    private func lastIdentifier(_ declaration: String) -> String {
        var text = declaration
        if text.hasSuffix("[]") { text.removeLast(2) }
        return String(text.reversed().prefix { $0.isLetter || $0.isNumber || $0 == "_" }.reversed())
    }

    /// Returns the file that the dynamic loader opens for `soname`, from ldconfig's cache.
    private func resolvedLibraryPath(_ soname: String) throws -> String {
        let cache = try runProcess("/sbin/ldconfig", ["-p"], environment: [:])
        for line in cache.stdoutText.split(separator: "\n") where line.trimmingCharacters(in: .whitespaces).hasPrefix(soname + " ") {
            if let path = line.components(separatedBy: " => ").last {
                return URL(fileURLWithPath: path).resolvingSymlinksInPath().path
            }
        }
        throw XCTSkip("ldconfig -p does not list \(soname)")
    }
}
