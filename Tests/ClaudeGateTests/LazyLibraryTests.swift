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

    func testMissingLibdbusFallsBackToFileInAutoMode() throws {
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

    /// Runs the binary in a new user and mount namespace in which the file
    /// behind `soname` is covered by an empty file, so dlopen fails as it
    /// would on a machine without the library. Skips the test where the
    /// kernel or the container does not allow such namespaces.
    private func runHidingLibrary(_ soname: String, _ sandbox: CLISandbox, _ arguments: [String],
                                  stdin: String, extraEnvironment: [String: String] = [:]) throws -> CLIResult {
        let libraryPath = try resolvedLibraryPath(soname)
        let hide = "mount --bind /dev/null \"$0\" || { echo 'hide-library: mount failed' >&2; exit 125; }; exec \"$@\""
        let result = try runProcess("/usr/bin/unshare",
                                    ["--map-root-user", "--mount", "/bin/sh", "-c", hide, libraryPath,
                                     TestEnvironment.binaryPath] + arguments,
                                    environment: sandbox.environment.merging(extraEnvironment) { $1 },
                                    stdin: Data(stdin.utf8))
        if result.stderr.hasPrefix("unshare:") || result.stderr.contains("hide-library: mount failed") {
            throw XCTSkip("cannot hide \(soname) in a private mount namespace here: \(result.stderr)")
        }
        return result
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
