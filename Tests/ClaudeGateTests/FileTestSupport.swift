import Foundation
import XCTest
@testable import ClaudeGateStorage

/// Creates a private directory that is removed when the test ends, and
/// returns its path. Tests never touch the real home directory.
func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> String {
    try TestEnvironment.makeTemporaryDirectory(testCase).path
}

func fileBytes(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

func writeFile(_ path: String, _ bytes: [UInt8], mode: mode_t = 0o600) throws {
    let directory = (path as NSString).deletingLastPathComponent
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
        throw NSError(domain: "createFile", code: Int(errno), userInfo: [NSFilePathErrorKey: path])
    }
    XCTAssertEqual(chmod(path, mode), 0)
}

func writeFile(_ path: String, _ text: String, mode: mode_t = 0o600) throws {
    try writeFile(path, Array(text.utf8), mode: mode)
}

func fileMode(_ path: String) -> mode_t {
    var info = stat()
    XCTAssertEqual(lstat(path, &info), 0, "lstat \(path)")
    return info.st_mode & 0o7777
}

/// A password provider that returns `password` for every request and
/// records the requests.
final class RecordingPasswordProvider {
    var password: [UInt8]?
    var requests: [PasswordRequest] = []

    init(_ password: String?) {
        self.password = password.map { Array($0.utf8) }
    }

    var provider: PasswordProvider {
        { [self] request in
            requests.append(request)
            return password
        }
    }
}

/// The iteration count tests write with: far below the default, so that
/// hundreds of writes take seconds, and allowed by the configuration.
let testIterations = PasswordJWE.minimumIterationSetting

/// Runs a Python script with jwcrypto (Debian python3-jwcrypto). The
/// password goes in the environment, never in argv.
func runJWCrypto(_ script: String, password: String, input: [UInt8] = []) throws -> CLIResult {
    try runProcess(TestEnvironment.systemPython, ["-c", script],
                   environment: ["PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "JWE_TEST_PASSWORD": password],
                   stdin: Data(input))
}

func requireJWCrypto() throws {
    let probe = try runProcess(TestEnvironment.systemPython, ["-c", "import jwcrypto"], environment: [:])
    try XCTSkipUnless(probe.status == 0, "python3-jwcrypto is not installed: \(probe.stderr)")
}

/// Returns the path of an executable that SwiftPM built next to the test bundle.
func builtExecutable(_ name: String) throws -> String {
    var candidates: [String] = []
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        candidates.append(URL(fileURLWithPath: bundle.bundlePath).deletingLastPathComponent().appendingPathComponent(name).path)
    }
    let testExecutable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    candidates.append(testExecutable.deletingLastPathComponent().appendingPathComponent(name).path)
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
        XCTFail("\(name) was not built next to the tests; looked in \(candidates)")
        throw XCTSkip("\(name) is missing")
    }
    return found
}

/// Asserts that `body` throws a StorageError matching `matches`, and
/// returns the error for further checks.
@discardableResult
func assertStorageError<T>(_ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line,
                           _ matches: (StorageError) -> Bool) -> StorageError? {
    do {
        _ = try body()
        XCTFail("expected a StorageError, but the call succeeded", file: file, line: line)
        return nil
    } catch let error as StorageError {
        XCTAssertTrue(matches(error), "unexpected error: \(error)", file: file, line: line)
        return error
    } catch {
        XCTFail("expected a StorageError, got \(type(of: error)): \(error)", file: file, line: line)
        return nil
    }
}
