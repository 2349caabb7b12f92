import Foundation
import XCTest

/// A migration killed with SIGKILL at any point loses no credential, and
/// running it again completes it. The process stops itself at a named step
/// through the test-only CLAUDE_GATE_TEST_PAUSE_AFTER hook, or is killed at
/// a random instant.
final class MigrationInterruptionTests: XCTestCase {
    private var sandbox: CLISandbox!

    /// Every step boundary of a migration of the three sample credentials.
    private let checkpoints = ["backup", "write:1", "write:2", "write:3", "verify", "remove"]

    override func setUpWithError() throws {
        sandbox = try CLISandbox(self, busAddress: try TestEnvironment.requireTestKeyring())
        sandbox.environment["CLAUDE_GATE_AUTO_MIGRATE_TOKENS"] = "false"
    }

    private func migrationArguments(_ from: String, _ to: String) -> [String] {
        ["auth", "storage", "migrate", "--from", from, "--to", to, "--yes"]
    }

    /// Fails unless every sample credential can be read, unchanged, from the
    /// file or from the keyring.
    private func assertEveryTokenReadable(_ context: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let fileCopies = try sandbox.fileCredentials() ?? [:]
        for provider in SampleCredentials.providers {
            let expected = SampleCredentials.all[provider]
            let inFile = sameCredential(fileCopies[provider], expected)
            let inKeyring = sameCredential(try sandbox.keyringCredential(provider), expected)
            XCTAssertTrue(inFile || inKeyring, "\(provider) is lost \(context)", file: file, line: line)
        }
    }

    private func assertMigrationComplete(to destination: String, _ context: String,
                                         file: StaticString = #filePath, line: UInt = #line) throws {
        let fileCopies = try sandbox.fileCredentials()
        for provider in SampleCredentials.providers {
            let expected = SampleCredentials.all[provider]
            let keyringCopy = try sandbox.keyringCredential(provider)
            if destination == "keyring" {
                XCTAssertTrue(sameCredential(keyringCopy, expected), "\(provider) not in the keyring \(context)", file: file, line: line)
            } else {
                XCTAssertTrue(sameCredential(fileCopies?[provider], expected), "\(provider) not in the file \(context)", file: file, line: line)
                XCTAssertNil(keyringCopy, "\(provider) still in the keyring \(context)", file: file, line: line)
            }
        }
        if destination == "keyring" {
            XCTAssertNil(fileCopies, "auth.json is still there \(context)", file: file, line: line)
        }
    }

    private func placeSamples(in storage: String) throws {
        if storage == "file" {
            try sandbox.writeAuthFile(SampleCredentials.all)
        } else {
            for provider in SampleCredentials.providers {
                try sandbox.storeInKeyring(provider, json: try SampleCredentials.json(provider))
            }
        }
    }

    /// Stops the migration at each step in turn, kills it, checks that
    /// nothing is lost and reruns it to completion.
    private func killAtEachCheckpoint(from: String, to: String) throws {
        for checkpoint in checkpoints {
            try placeSamples(in: from)
            let process = try sandbox.start(migrationArguments(from, to),
                                            extraEnvironment: ["CLAUDE_GATE_TEST_PAUSE_AFTER": checkpoint])
            XCTAssertTrue(waitUntilStopped(process), "the migration did not stop after \(checkpoint)")
            killHard(process)
            try assertEveryTokenReadable("after a kill after \(checkpoint)")

            let rerun = try sandbox.run(migrationArguments(from, to))
            XCTAssertEqual(rerun.status, 0, "rerun after \(checkpoint): \(rerun.stderr)")
            try assertMigrationComplete(to: to, "after the rerun following \(checkpoint)")

            // Leave the next round nothing from this one.
            XCTAssertEqual(try sandbox.run(["auth", "logout"], extraEnvironment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": to]).status, 0)
        }
    }

    func testFileToKeyringKilledAtEachStep() throws {
        try killAtEachCheckpoint(from: "file", to: "keyring")
    }

    func testKeyringToFileKilledAtEachStep() throws {
        try killAtEachCheckpoint(from: "keyring", to: "file")
    }

    func testSIGTERMStopsAtNextStep() throws {
        try placeSamples(in: "file")
        let stderrPath = sandbox.home.appendingPathComponent("migrate.stderr").path
        let process = try sandbox.start(migrationArguments("file", "keyring"),
                                        extraEnvironment: ["CLAUDE_GATE_TEST_PAUSE_AFTER": "write:1"], stderrPath: stderrPath)
        XCTAssertTrue(waitUntilStopped(process), "the migration did not stop after the first write")

        // The signal is recorded while the process is stopped and acted on
        // at the step boundary it resumes at.
        kill(process.processIdentifier, SIGTERM)
        kill(process.processIdentifier, SIGCONT)
        process.waitUntilExit()

        XCTAssertEqual(process.terminationStatus, 130)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        XCTAssertTrue(stderr.contains("interrupted after the write:1 step"), stderr)
        XCTAssertTrue(stderr.contains("run the command again to finish"), stderr)
        try assertEveryTokenReadable("after SIGTERM")
        XCTAssertEqual(try sandbox.fileCredentials()?.keys.sorted(), SampleCredentials.providers)

        let rerun = try sandbox.run(migrationArguments("file", "keyring"))
        XCTAssertEqual(rerun.status, 0, rerun.stderr)
        try assertMigrationComplete(to: "keyring", "after the rerun following SIGTERM")
    }

    func testKilledAtRandomInstantsLosesNothing() throws {
        var generator = SystemRandomNumberGenerator()
        try placeSamples(in: "file")
        var direction = ("file", "keyring")
        var kills = 0

        for round in 0..<24 {
            let process = try sandbox.start(migrationArguments(direction.0, direction.1))
            // A migration of the three samples took 50 to 115 ms on the
            // two-core machine these tests were written on, so delays up to
            // 150 ms land in every step and sometimes after the end.
            usleep(UInt32.random(in: 0...150_000, using: &generator))
            if process.isRunning { kills += 1 }
            killHard(process)
            try assertEveryTokenReadable("after a kill in round \(round) (\(direction.0) to \(direction.1))")

            // Finish the interrupted migration, then go the other way.
            let rerun = try sandbox.run(migrationArguments(direction.0, direction.1))
            XCTAssertEqual(rerun.status, 0, "round \(round): \(rerun.stderr)")
            try assertMigrationComplete(to: direction.1, "after the rerun in round \(round)")
            direction = (direction.1, direction.0)
        }
        XCTAssertGreaterThan(kills, 0, "no run was killed while it was still running")
    }
}
