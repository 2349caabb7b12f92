import DBus
import Foundation
import XCTest

/// SIGINT (Ctrl-C) while claude-gate waits for a prompt or writes the file.
final class InterruptTests: XCTestCase {
    /// Waits for `process` for at most `seconds`; returns false on timeout.
    private func waitForExit(_ process: Process, seconds: Double) -> Bool {
        let deadline = monotonicSeconds() + seconds
        while process.isRunning && monotonicSeconds() < deadline {
            usleep(20_000)
        }
        return !process.isRunning
    }

    func testInterruptDuringPromptDismissesIt() throws {
        let fake = try DaemonFixture(script: "start-fake-service.sh", arguments: ["prompt-never-completes"],
                                     requiredPrograms: ["dbus-daemon", "python3"])
        var sandbox = try CLISandbox(self, busAddress: fake.environment["DBUS_SESSION_BUS_ADDRESS"])
        sandbox.environment["CLAUDE_GATE_KEYRING_SERVICE"] = "claude-gate-test"
        sandbox.environment["CLAUDE_GATE_AUTH_STORAGE_TYPE"] = "keyring"
        sandbox.environment["CLAUDE_GATE_PROMPT_TIMEOUT"] = "60"
        let stderrPath = sandbox.home.appendingPathComponent("stderr").path

        let process = try sandbox.start(["auth", "token", "--provider", "fake"], stderrPath: stderrPath)
        // The fake service answers within milliseconds, so after a second the
        // command is waiting for the prompt that never completes.
        usleep(1_000_000)
        XCTAssertTrue(process.isRunning, "the command ended before the prompt")
        let interrupted = monotonicSeconds()
        process.interrupt()

        XCTAssertTrue(waitForExit(process, seconds: 2), "the command did not stop within 2 s of SIGINT")
        XCTAssertLessThan(monotonicSeconds() - interrupted, 2)
        XCTAssertEqual(process.terminationStatus, 130)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        XCTAssertTrue(stderr.contains("interrupted"), stderr)

        // Dismiss is sent without waiting for its reply, so it may arrive late.
        let dismissedMarker = fake.stateDirectory + "/dismissed"
        let deadline = monotonicSeconds() + 3
        while !FileManager.default.fileExists(atPath: dismissedMarker) && monotonicSeconds() < deadline {
            usleep(50_000)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: dismissedMarker), "the prompt was not dismissed")
    }

    /// Logs in again and again, interrupting each run at a random moment, and
    /// checks after each that auth.json contains the old or the new key and that
    /// no temporary file is left behind. Half the runs encrypt the file,
    /// which makes each write last long enough to be hit in the middle.
    func testInterruptDuringWritesKeepsOldOrNewFile() throws {
        var sandbox = try CLISandbox(self, busAddress: nil)
        sandbox.environment["CLAUDE_GATE_AUTH_STORAGE_TYPE"] = "file"
        let directory = (sandbox.authFilePath as NSString).deletingLastPathComponent

        for encrypted in [false, true] {
            let extra = encrypted
                ? ["CLAUDE_GATE_MASTER_PASSWORD": "interrupt-test", "CLAUDE_GATE_FILE_KDF_ITERATIONS": "100000"]
                : [:]
            var previousKey = "key-initial"
            XCTAssertEqual(try sandbox.run(["auth", "login"], stdin: previousKey + "\n", extraEnvironment: extra).status, 0)

            for round in 0..<20 {
                let newKey = "key-\(encrypted ? "encrypted" : "plain")-\(round)"
                let process = Process()
                process.executableURL = URL(fileURLWithPath: TestEnvironment.binaryPath)
                process.arguments = ["auth", "login"]
                process.environment = sandbox.environment.merging(extra) { $1 }
                let input = Pipe()
                process.standardInput = input
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.run()
                input.fileHandleForWriting.write(Data((newKey + "\n").utf8))
                try input.fileHandleForWriting.close()

                usleep(UInt32.random(in: 0...(encrypted ? 120_000 : 15_000)))
                process.interrupt()
                XCTAssertTrue(waitForExit(process, seconds: 10), "round \(round): the command did not stop")

                let exitedNormally = process.terminationReason == .exit
                if exitedNormally {
                    XCTAssertTrue([0, 130].contains(process.terminationStatus),
                                  "round \(round): exit status \(process.terminationStatus)")
                }

                let token = try sandbox.run(["auth", "token"], extraEnvironment: extra)
                XCTAssertEqual(token.status, 0, "round \(round): \(token.stderr)")
                let stored = token.stdoutText.trimmingCharacters(in: .newlines)
                XCTAssertTrue([previousKey, newKey].contains(stored), "round \(round): auth.json holds '\(stored)'")
                previousKey = stored

                let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.contains(".tmp-") }
                XCTAssertEqual(leftovers, [], "round \(round): temporary files were left behind")
            }
        }
    }
}
