import DBus
import Foundation
import SecretService
import XCTest

/// One Secret Service daemon on a private bus, started by a script in
/// scripts/test-daemons and stopped by the PIDs that script recorded.
///
/// The daemon runs with HOME and the XDG directories inside its own
/// temporary state directory. A client under test must use ``environment``,
/// so that nothing reaches the real session bus or HOME.
final class DaemonFixture {
    /// The directory of the start and stop scripts.
    static let scriptDirectory: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/test-daemons")

    let stateDirectory: String
    let environment: [String: String]
    private var isStopped = false

    /// Starts `script` with `arguments`, failing the test when the daemon's
    /// program is missing, or skipping it when CLAUDE_GATE_TEST_ALLOW_SKIP=1.
    init(script: String, arguments: [String] = [], requiredPrograms: [String]) throws {
        for program in requiredPrograms where Self.findProgram(program) == nil {
            let message = "\(program) is not installed; install it (see docs/daemons.md) to run this test"
            if ProcessInfo.processInfo.environment["CLAUDE_GATE_TEST_ALLOW_SKIP"] == "1" {
                throw XCTSkip(message)
            }
            throw FixtureError(message)
        }

        let output = try Self.runScript(script, arguments: arguments)
        var exported: [String: String] = [:]
        for line in output.split(separator: "\n") where line.hasPrefix("export ") {
            let assignment = line.dropFirst("export ".count)
            guard let equals = assignment.firstIndex(of: "=") else { continue }
            let value = assignment[assignment.index(after: equals)...].trimmingCharacters(in: CharacterSet(charactersIn: "'"))
            exported[String(assignment[..<equals])] = value
        }
        guard let address = exported["DBUS_SESSION_BUS_ADDRESS"], let state = exported["CLAUDE_GATE_TEST_STATE_DIR"] else {
            throw FixtureError("\(script) printed no bus address and state directory: \(output)")
        }
        stateDirectory = state
        let home = state + "/home"
        environment = [
            "DBUS_SESSION_BUS_ADDRESS": address,
            "HOME": home,
            "XDG_RUNTIME_DIR": state + "/run",
            "XDG_CONFIG_HOME": home + "/.config",
            "XDG_DATA_HOME": home + "/.local/share",
            "XDG_CACHE_HOME": home + "/.cache",
        ]
    }

    deinit {
        stop()
    }

    /// Stops the daemon, its prompter and its bus by their recorded PIDs.
    func stop() {
        guard !isStopped else { return }
        isStopped = true
        do {
            _ = try Self.runScript("stop-daemons.sh", arguments: [stateDirectory])
        } catch {
            XCTFail("stopping the daemons of \(stateDirectory) failed: \(error)")
        }
    }

    /// Connects a new client to this daemon's bus.
    func connect(
        methodTimeout: Double = 10, promptTimeout: Double = 10, session: SessionAlgorithmPreference = .auto
    ) throws -> SecretServiceClient {
        let options = SecretServiceOptions(methodTimeout: methodTimeout, promptTimeout: promptTimeout,
                                           sessionAlgorithm: session)
        return try SecretServiceClient.connect(environment: environment, options: options)
    }

    /// Runs one of the scripts with a minimal environment: no session bus
    /// address, no DISPLAY and the real HOME replaced by the state directory
    /// that the script creates. Returns what the script printed on stdout.
    ///
    /// posix_spawn and waitpid are used instead of Foundation's Process,
    /// whose waitUntilExit was seen to miss the script's exit and hang once
    /// the daemons it started had been left running.
    private static func runScript(_ script: String, arguments: [String]) throws -> String {
        let outputDirectory = try FileManager.default.url(
            for: .itemReplacementDirectory, in: .userDomainMask,
            appropriateFor: URL(fileURLWithPath: NSTemporaryDirectory()), create: true)
        defer { try? FileManager.default.removeItem(at: outputDirectory) }
        let stdoutPath = outputDirectory.appendingPathComponent("stdout").path
        let stderrPath = outputDirectory.appendingPathComponent("stderr").path

        let scriptPath = scriptDirectory.appendingPathComponent(script).path
        let command = ["/bin/bash", "-c", #""$0" "$@" > "$CLAUDE_GATE_STDOUT" 2> "$CLAUDE_GATE_STDERR" < /dev/null"#,
                       scriptPath] + arguments
        var environment = [
            "PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")",
            "CLAUDE_GATE_STDOUT=\(stdoutPath)",
            "CLAUDE_GATE_STDERR=\(stderrPath)",
        ]
        if let temporary = ProcessInfo.processInfo.environment["TMPDIR"] {
            environment.append("TMPDIR=\(temporary)")
        }

        let status = try spawnAndWait(command, environment: environment)
        let output = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let errors = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
            throw FixtureError("\(script) \(arguments.joined(separator: " ")) exited with status \(status): \(errors)")
        }
        return output
    }

    /// Runs `command` and returns its exit status (128 + signal when killed).
    private static func spawnAndWait(_ command: [String], environment: [String]) throws -> Int32 {
        func cStrings(_ strings: [String]) -> [UnsafeMutablePointer<CChar>?] {
            strings.map { strdup($0) } + [nil]
        }
        let argv = cStrings(command)
        let envp = cStrings(environment)
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }

        var pid: pid_t = 0
        let spawnError = posix_spawn(&pid, command[0], nil, nil, argv, envp)
        guard spawnError == 0 else {
            throw FixtureError("cannot start \(command[0]): \(String(cString: strerror(spawnError)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            guard errno == EINTR else { throw FixtureError("waitpid(\(pid)) failed: errno \(errno)") }
        }
        let terminatingSignal = status & 0x7f
        return terminatingSignal == 0 ? (status >> 8) & 0xff : 128 + terminatingSignal
    }

    private static func findProgram(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Fails the test unless `body` throws an error that `matches` accepts,
/// and returns the error.
@discardableResult
func assertThrows<T>(
    _ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line,
    matching matches: (Error) -> Bool
) -> Error? {
    do {
        let value = try body()
        XCTFail("expected an error, got \(value)", file: file, line: line)
        return nil
    } catch {
        XCTAssertTrue(matches(error), "unexpected error: \(error)", file: file, line: line)
        return error
    }
}

/// Seconds that `body` took, on the monotonic clock.
func measureSeconds(_ body: () -> Void) -> Double {
    let start = monotonicSeconds()
    body()
    return monotonicSeconds() - start
}
