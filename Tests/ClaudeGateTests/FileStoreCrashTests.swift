import Foundation
import XCTest
@testable import ClaudeGateStorage

/// Child processes that write `auth.json` through FileStore: killed with
/// SIGKILL at random moments, and run side by side.
final class FileStoreCrashTests: XCTestCase {
    private var home = ""
    private var path = ""
    private let password = "crash-test-password"
    private let keptCredential = Credential.apiKey("sk-keep")

    override func setUpWithError() throws {
        home = try makeTemporaryDirectory(self)
        path = home + "/.claude-gate/auth.json"
    }

    private func environment(encrypted: Bool) -> [String: String] {
        var environment = ["HOME": home, "CLAUDE_GATE_FILE_KDF_ITERATIONS": String(testIterations)]
        if encrypted {
            environment["CLAUDE_GATE_MASTER_PASSWORD"] = password
        }
        return environment
    }

    private func makeStore(encrypted: Bool) -> FileStore {
        let provider: PasswordProvider? = encrypted ? { _ in Array(self.password.utf8) } : nil
        return FileStore(path: path, passwordProvider: provider, kdfIterations: testIterations)
    }

    private func startWriter(_ arguments: [String], encrypted: Bool) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try builtExecutable("claude-gate-test-writer"))
        process.arguments = arguments
        process.environment = environment(encrypted: encrypted)
        let errorPipe = Pipe()
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        return (process, errorPipe)
    }

    private func counterValue(in store: FileStore) throws -> Int {
        guard let token = try store.read(provider: "counter")?.accessToken else { return 0 }
        return try XCTUnwrap(Int(token.dropFirst("token-".count)), "unexpected token \(token)")
    }

    /// Kills a writer `kills` times at random moments. After each kill the
    /// file must parse, keep the untouched provider, and hold a counter no
    /// lower than before: the old content or a newer one, never a torn mix.
    private func runKillLoop(kills: Int, encrypted: Bool) throws {
        let store = makeStore(encrypted: encrypted)
        try store.write(keptCredential, provider: "keep")
        var lastValue = 0
        var roundsThatAdvanced = 0

        // The kill moments are spread around the time a writer takes to
        // finish its first write on this machine, measured first, so that
        // slow builds (AddressSanitizer) are hit mid-write as often as fast ones.
        let firstWrite = try measureFirstWrite(store: store, encrypted: encrypted)
        lastValue = try counterValue(in: store)
        let maximumDelay = UInt32(min(2_000_000, max(40_000, firstWrite * 3)))

        for round in 0..<kills {
            let (writer, errorPipe) = try startWriter(["counter", path, "counter"], encrypted: encrypted)
            usleep(UInt32.random(in: 1_000...maximumDelay))
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
            let errorOutput = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(writer.terminationReason, .uncaughtSignal, "round \(round): the writer exited early: \(errorOutput)")

            let reader = makeStore(encrypted: encrypted)
            XCTAssertEqual(try reader.read(provider: "keep"), keptCredential, "round \(round)")
            let value = try counterValue(in: reader)
            XCTAssertGreaterThanOrEqual(value, lastValue, "round \(round): the counter went back")
            if value > lastValue { roundsThatAdvanced += 1 }
            lastValue = value
        }

        // Most kills must land after the writer started writing, or the test
        // proves nothing about torn writes.
        XCTAssertGreaterThan(roundsThatAdvanced, kills / 4, "too few rounds wrote anything")
        XCTAssertEqual(try store.detectFormat(), encrypted ? .encryptedJWE : .plainJSON)
    }

    /// Starts a writer, waits until its first write is in the file, kills it,
    /// and returns how long that took, in microseconds.
    private func measureFirstWrite(store: FileStore, encrypted: Bool) throws -> Double {
        let before = try counterValue(in: store)
        let start = Date()
        let (writer, _) = try startWriter(["counter", path, "counter"], encrypted: encrypted)
        defer {
            kill(writer.processIdentifier, SIGKILL)
            writer.waitUntilExit()
        }
        while try counterValue(in: makeStore(encrypted: encrypted)) == before {
            guard Date().timeIntervalSince(start) < 30 else {
                XCTFail("the writer wrote nothing within 30 s")
                break
            }
            usleep(2_000)
        }
        return Date().timeIntervalSince(start) * 1_000_000
    }

    func testPlainWriterKilledAtRandom() throws {
        try runKillLoop(kills: 120, encrypted: false)
    }

    func testEncryptedWriterKilledAtRandom() throws {
        try runKillLoop(kills: 120, encrypted: true)
    }

    /// Four processes write 100 distinct providers each under the file lock;
    /// a lost update would drop some of them.
    private func runConcurrentWriters(encrypted: Bool) throws {
        let workers = 4
        let writesPerWorker = 100
        var writers: [(Process, Pipe)] = []
        for worker in 0..<workers {
            writers.append(try startWriter(["distinct", path, "worker\(worker)", String(writesPerWorker)], encrypted: encrypted))
        }
        for (writer, errorPipe) in writers {
            writer.waitUntilExit()
            let errorOutput = String(decoding: errorPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            XCTAssertEqual(writer.terminationStatus, 0, errorOutput)
        }

        // One load and decryption for all checks: reading each provider
        // separately would parse the whole file 400 times.
        let store = makeStore(encrypted: encrypted)
        let document = try store.loadDocument()
        XCTAssertEqual(document.providers.count, workers * writesPerWorker)
        for worker in 0..<workers {
            for index in 0..<writesPerWorker {
                let provider = "worker\(worker)-\(index)"
                XCTAssertEqual(try document.credential(for: provider), .apiKey("key-\(provider)"), provider)
            }
        }
        XCTAssertEqual(try store.detectFormat(), encrypted ? .encryptedJWE : .plainJSON)
    }

    func testConcurrentPlainWritersKeepEveryProvider() throws {
        try runConcurrentWriters(encrypted: false)
    }

    func testConcurrentEncryptedWritersKeepEveryProvider() throws {
        try runConcurrentWriters(encrypted: true)
    }
}
