import Foundation
import XCTest

/// The output of one run of the claude-gate binary.
struct CLIResult {
    var status: Int32
    var stdout: Data
    var stderr: String

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Locations and processes shared by the tests.
enum TestEnvironment {
    /// The package root, found from this file's path.
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built binary: CLAUDE_GATE_BINARY, else the claude-gate that the
    /// same build placed next to the test bundle (so an AddressSanitizer
    /// build tests its own binary), else .build/debug/claude-gate.
    static var binaryPath: String {
        if let path = ProcessInfo.processInfo.environment["CLAUDE_GATE_BINARY"], !path.isEmpty { return path }
        let besideTests = Bundle.main.bundleURL.appendingPathComponent("claude-gate").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        return packageRoot.appendingPathComponent(".build/debug/claude-gate").path
    }

    /// The private bus that scripts/test-keyring.sh started, or nil when the
    /// tests run without it.
    static var testBusAddress: String? {
        ProcessInfo.processInfo.environment["CLAUDE_GATE_TEST_BUS_ADDRESS"]
    }

    /// The Debian Python that has python3-secretstorage and python3-jwcrypto.
    static let systemPython = "/usr/bin/python3"

    /// Skips the test unless scripts/test-keyring.sh provides a keyring.
    static func requireTestKeyring() throws -> String {
        guard let address = testBusAddress else {
            throw XCTSkip("needs the private keyring: run the tests through scripts/test-keyring.sh (make test)")
        }
        return address
    }

    /// Creates a 0700 temporary directory that is removed at the end of the test.
    static func makeTemporaryDirectory(_ testCase: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("claude-gate-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        testCase.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }
}

/// Runs a program to completion with `environment` as its whole environment.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String],
                stdin: Data = Data()) throws -> CLIResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment

    let input = Pipe()
    let output = Pipe()
    let errors = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = errors
    try process.run()

    // Read both pipes while the process runs, so that large outputs cannot
    // fill a pipe and block the child.
    let outputData = DataBox()
    let errorData = DataBox()
    let group = DispatchGroup()
    DispatchQueue.global().async(group: group) {
        outputData.data = output.fileHandleForReading.readDataToEndOfFile()
    }
    DispatchQueue.global().async(group: group) {
        errorData.data = errors.fileHandleForReading.readDataToEndOfFile()
    }
    input.fileHandleForWriting.write(stdin)
    try input.fileHandleForWriting.close()
    group.wait()
    process.waitUntilExit()
    return CLIResult(status: process.terminationStatus, stdout: outputData.data,
                     stderr: String(decoding: errorData.data, as: UTF8.self))
}

/// Polls `condition` every 20 ms until it returns true or `seconds` pass,
/// and returns its last result.
func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

/// Returns the command name of a running process from /proc/PID/comm, or
/// nil when the process has exited.
func processName(_ pid: Int32) -> String? {
    (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Bytes filled in by one reader thread and read after it has finished.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}

/// A sandbox for running the claude-gate binary: its own HOME and a keyring
/// service name no other test uses, so tests sharing one keyring daemon do
/// not see each other's items.
struct CLISandbox {
    let home: URL
    let serviceName: String
    var environment: [String: String]

    init(_ testCase: XCTestCase, busAddress: String?) throws {
        home = try TestEnvironment.makeTemporaryDirectory(testCase)
        serviceName = "claude-gate-test-\(UUID().uuidString.prefix(8))"
        environment = [
            "HOME": home.path,
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "CLAUDE_GATE_KEYRING_SERVICE": serviceName,
        ]
        if let busAddress {
            environment["DBUS_SESSION_BUS_ADDRESS"] = busAddress
        }
    }

    var authFilePath: String { home.appendingPathComponent(".claude-gate/auth.json").path }

    func run(_ arguments: [String], stdin: String = "", extraEnvironment: [String: String] = [:]) throws -> CLIResult {
        try run(arguments, stdinData: Data(stdin.utf8), extraEnvironment: extraEnvironment)
    }

    func run(_ arguments: [String], stdinData: Data, extraEnvironment: [String: String] = [:]) throws -> CLIResult {
        let binary = TestEnvironment.binaryPath
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw XCTSkip("claude-gate is not built at \(binary): run 'swift build' first (make test does)")
        }
        return try runProcess(binary, arguments, environment: environment.merging(extraEnvironment) { $1 },
                              stdin: stdinData)
    }

    /// Runs secret-tool on the same bus and HOME.
    func secretTool(_ arguments: [String], stdin: String = "") throws -> CLIResult {
        try runProcess("/usr/bin/secret-tool", arguments, environment: environment, stdin: Data(stdin.utf8))
    }
}

/// A dbus-daemon with no Secret Service on it, started and stopped by the
/// test that needs a bus where the service is missing.
final class EmptyBus {
    let address: String
    private let process: Process
    private let directory: URL

    init(_ testCase: XCTestCase) throws {
        directory = try TestEnvironment.makeTemporaryDirectory(testCase)
        let configuration = directory.appendingPathComponent("bus.conf")
        try """
        <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
         "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
        <busconfig>
          <type>session</type>
          <listen>unix:path=\(directory.path)/bus</listen>
          <auth>EXTERNAL</auth>
          <policy context="default">
            <allow send_destination="*" eavesdrop="true"/>
            <allow eavesdrop="true"/>
            <allow own="*"/>
          </policy>
        </busconfig>
        """.write(to: configuration, atomically: true, encoding: .utf8)

        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dbus-daemon")
        process.arguments = ["--config-file=\(configuration.path)", "--nofork", "--nopidfile", "--print-address=1"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()

        var line = Data()
        while !line.contains(0x0a) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        address = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let process = self.process
        testCase.addTeardownBlock {
            process.terminate()
            process.waitUntilExit()
        }
        guard !address.isEmpty else {
            throw XCTSkip("dbus-daemon did not start; install dbus-daemon")
        }
    }
}

/// Runs the claude-gate binary with `arguments` on a pseudo-terminal made by
/// Python's pty module, so that standard input is a real TTY. When `prompt`
/// appears, it types `input` and a newline. Returns the exit status and
/// everything the terminal showed, as stdout.
func runOnTerminal(_ arguments: [String], prompt: String, input: String, environment: [String: String]) throws -> CLIResult {
    // Every read waits with select under one deadline, and a child still
    // running at the deadline is killed, so a test can fail but never hang.
    let script = """
    import json, os, pty, select, signal, sys, time
    arguments = json.loads(sys.argv[2])
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(sys.argv[1], [sys.argv[1]] + arguments)
    deadline = time.time() + 20
    def read_some():
        ready, _, _ = select.select([fd], [], [], max(0, min(0.2, deadline - time.time())))
        if not ready:
            return b""
        try:
            return os.read(fd, 1024) or None
        except OSError:
            return None
    output = b""
    while sys.argv[3].encode() not in output and time.time() < deadline:
        chunk = read_some()
        if chunk is None:
            break
        output += chunk
    os.write(fd, sys.stdin.buffer.read() + b"\\n")
    while time.time() < deadline:
        chunk = read_some()
        if chunk is None:
            break
        output += chunk
    if time.time() >= deadline:
        os.kill(pid, signal.SIGKILL)
        output += b"\\n[terminal driver: killed the command after 20 s]"
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(output.decode(errors="replace"))
    sys.exit(os.waitstatus_to_exitcode(status))
    """
    let encodedArguments = String(decoding: try JSONSerialization.data(withJSONObject: arguments), as: UTF8.self)
    // The input goes through stdin, because it may be a secret and argv is
    // visible to every process.
    return try runProcess(TestEnvironment.systemPython,
                          ["-c", script, TestEnvironment.binaryPath, encodedArguments, prompt],
                          environment: environment, stdin: Data(input.utf8))
}
