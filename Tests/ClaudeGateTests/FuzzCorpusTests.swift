import ClaudeGateFuzzing
import Foundation
import XCTest

/// Replays the fuzz targets' seed corpus and every saved crash input
/// through the same functions that libFuzzer calls, so that a fixed crash
/// stays fixed without a fuzzer build. A crash here ends the test process,
/// and XCTest then names the test that was running.
final class FuzzCorpusTests: XCTestCase {
    private static let fuzzDirectory = TestEnvironment.packageRoot.appendingPathComponent("Tests/Fuzz")

    func testDBusMessageCorpusReplays() throws {
        let count = try replay("dbus-message", through: DBusMessageFuzzing.testOneInput)
        // The seeds are real Secret Service traffic. An empty directory
        // would make this test pass without checking anything.
        XCTAssertGreaterThan(count, 20, "too few D-Bus seed inputs in Tests/Fuzz/corpus/dbus-message")
    }

    func testCommandLineCorpusReplays() throws {
        let count = try replay("command-line", through: CommandLineFuzzing.testOneInput)
        XCTAssertGreaterThan(count, 10, "too few command-line seed inputs in Tests/Fuzz/corpus/command-line")
    }

    func testReplayReadsDirectoriesSorted() throws {
        let directory = try TestEnvironment.makeTemporaryDirectory(self)
        for name in ["b", "a", ".hidden"] {
            try Data(name.utf8).write(to: directory.appendingPathComponent(name))
        }
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("subdirectory"),
                                                withIntermediateDirectories: false)

        var inputs: [String] = []
        let count = try CorpusReplay.run(paths: [directory.path]) { inputs.append(String(decoding: $0, as: UTF8.self)) }

        XCTAssertEqual(count, 2)
        XCTAssertEqual(inputs, ["a", "b"])
    }

    /// Replays Tests/Fuzz/corpus/NAME and, when it exists,
    /// Tests/Fuzz/crashes/NAME. Returns the number of inputs run.
    private func replay(_ name: String, through testOneInput: ([UInt8]) -> Void) throws -> Int {
        var paths = [Self.fuzzDirectory.appendingPathComponent("corpus/\(name)").path]
        let crashes = Self.fuzzDirectory.appendingPathComponent("crashes/\(name)").path
        if FileManager.default.fileExists(atPath: crashes) {
            paths.append(crashes)
        }
        return try CorpusReplay.run(paths: paths, testOneInput: testOneInput)
    }
}
