import Foundation
import XCTest

/// Checks from outside the process that claude-gate disables core files and
/// is not dumpable while it has a secret in memory, and what of that survives `exec`.
///
/// The kernel shows a non-dumpable process through /proc: files such as
/// /proc/PID/environ are then owned by root instead of the process's user,
/// and other processes of that user cannot read them. Root sees every file,
/// so when the tests run as root, claude-gate runs as the user nobody
/// (65534) through setpriv(1).
///
/// Each run starts from a shell that raises the soft core file limit to the
/// hard limit first, so that a limit of 0 in /proc/PID/limits shows the
/// work of claude-gate and not an inherited default.
final class ProcessHardeningTests: XCTestCase {
    private static let nobody: uid_t = 65534

    /// The user claude-gate runs as in these tests.
    private var runUser: uid_t { getuid() == 0 ? Self.nobody : getuid() }

    func testLoginIsNotDumpableWhileReadingSecret() throws {
        let home = try makeHome()
        let process = try startClaudeGate(["auth", "login"], home: home)
        defer { stop(process) }

        // Half a key and no end of input, so claude-gate waits with the
        // bytes it has read in memory.
        process.input.fileHandleForWriting.write(Data("sk-ant-hardening-partial".utf8))
        let pid = process.process.processIdentifier
        XCTAssertTrue(waitUntil { processName(pid) == "claude-gate" }, "claude-gate did not start")

        XCTAssertTrue(waitUntil { self.owner(of: "/proc/\(pid)/environ") == 0 },
                      "/proc/\(pid)/environ is owned by \(owner(of: "/proc/\(pid)/environ") ?? 0), so the process is dumpable")
        XCTAssertNotEqual(try readAsRunUser("/proc/\(pid)/environ"), 0,
                          "a process of the same user could read the environment of claude-gate")
        if try hardCoreLimit() != "0" {
            XCTAssertEqual(softCoreLimit(of: pid), "0",
                           (try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8)) ?? "")
        }
    }

    func testControlProcessIsDumpable() throws {
        // The same start without claude-gate, to show that the checks above
        // can fail: sleep is dumpable and keeps the raised core file limit.
        let process = try startWrapped(["/bin/sleep", "30"], environment: [:])
        defer { stop(process) }
        let pid = process.process.processIdentifier
        XCTAssertTrue(waitUntil { processName(pid) == "sleep" }, "sleep did not start")

        XCTAssertEqual(owner(of: "/proc/\(pid)/environ"), runUser)
        if try hardCoreLimit() != "0" {
            XCTAssertNotEqual(softCoreLimit(of: pid), "0")
        }
    }

    func testExecKeepsCoreLimitButNotDumpable() throws {
        let home = try makeHome()
        let login = try startClaudeGate(["auth", "login"], home: home)
        login.input.fileHandleForWriting.write(Data("sk-ant-hardening-exec-key\n".utf8))
        try login.input.fileHandleForWriting.close()
        login.process.waitUntilExit()
        XCTAssertEqual(login.process.terminationStatus, 0, "auth login failed")

        let exec = try startClaudeGate(["exec", "--", "/bin/sleep", "30"], home: home)
        defer { stop(exec) }
        let pid = exec.process.processIdentifier
        XCTAssertTrue(waitUntil { processName(pid) == "sleep" }, "exec did not start sleep")

        // execve(2) of a program that is not setuid makes the process
        // dumpable again, and the core file limit is inherited. The command
        // therefore writes no core file unless it raises its own limit, but
        // processes of the same user can read its environment.
        XCTAssertEqual(owner(of: "/proc/\(pid)/environ"), runUser)
        if try hardCoreLimit() != "0" {
            XCTAssertEqual(softCoreLimit(of: pid), "0")
        }
    }

    // MARK: - Helpers

    private struct RunningProcess {
        var process: Process
        var input: Pipe
    }

    /// Creates a HOME for the file storage that the run user can write.
    private func makeHome() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/claude-gate-hardening.XXXXXX").utf8CString)
        guard let pointer = mkdtemp(&template) else {
            throw XCTSkip("mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        let path = String(cString: pointer)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        if getuid() == 0 {
            XCTAssertEqual(chown(path, Self.nobody, gid_t(Self.nobody)), 0, "chown \(path) failed")
        }
        return path
    }

    private func startClaudeGate(_ arguments: [String], home: String) throws -> RunningProcess {
        let binary = TestEnvironment.binaryPath
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("claude-gate is not built at \(binary): run 'swift build' first (make test does)")
        }
        return try startWrapped([binary] + arguments, environment: [
            "HOME": home,
            "PATH": "/usr/bin:/bin",
            "CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
        ])
    }

    /// Starts `command` as the run user from a shell that first raises the
    /// soft core file limit. The shell and setpriv replace themselves with
    /// the command, so the returned process ID is the command's.
    private func startWrapped(_ command: [String], environment: [String: String]) throws -> RunningProcess {
        var arguments = ["-c", "ulimit -S -c \"$(ulimit -H -c)\" && exec \"$@\"", "sh"]
        if getuid() == 0 {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
                throw XCTSkip("these checks need setpriv (util-linux) to run claude-gate as another user than root")
            }
            arguments += ["/usr/bin/setpriv", "--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups"]
        }
        arguments += command

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = arguments
        process.environment = environment
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return RunningProcess(process: process, input: input)
    }

    private func stop(_ running: RunningProcess) {
        if running.process.isRunning {
            running.process.terminate()
        }
        running.process.waitUntilExit()
    }

    private func owner(of path: String) -> uid_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_uid
    }

    /// Returns the exit status of `cat PATH` run as the run user.
    private func readAsRunUser(_ path: String) throws -> Int32 {
        var arguments = [path]
        var executable = "/bin/cat"
        if getuid() == 0 {
            arguments = ["--reuid=\(Self.nobody)", "--regid=\(Self.nobody)", "--clear-groups", "/bin/cat", path]
            executable = "/usr/bin/setpriv"
        }
        return try runProcess(executable, arguments, environment: [:]).status
    }

    /// Returns the soft limit column of the "Max core file size" line in /proc/PID/limits.
    private func softCoreLimit(of pid: Int32) -> String? {
        guard let limits = try? String(contentsOfFile: "/proc/\(pid)/limits", encoding: .utf8) else { return nil }
        let line = limits.split(separator: "\n").first { $0.hasPrefix("Max core file size") }
        return line?.dropFirst("Max core file size".count).split(separator: " ").first.map(String.init)
    }

    /// Returns the hard core file limit of a shell started like claude-gate, as
    /// `ulimit -H -c` prints it. With a hard limit of 0 the core checks
    /// cannot tell claude-gate's limit from the inherited one and are left out.
    private func hardCoreLimit() throws -> String {
        try runProcess("/bin/sh", ["-c", "ulimit -H -c"], environment: [:]).stdoutText
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
