import Foundation
import XCTest

/// The output of one run of the claude-gate executable.
struct TextResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs the built claude-gate executable in a temporary HOME with the file
/// storage and without any D-Bus address, so that a test can reach neither
/// a keyring nor the files of the person running it.
final class FileStorageSandbox {
    let home: URL

    init() throws {
        home = FileManager.default.temporaryDirectory
            .appendingPathComponent("claude-gate-test-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
    }

    deinit {
        try? FileManager.default.removeItem(at: home)
    }

    /// The credentials file the file storage uses in this sandbox.
    var authFilePath: String {
        home.appendingPathComponent(".claude-gate/auth.json").path
    }

    /// Returns the environment of every run, with `extra` entries overriding it.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "HOME": home.path,
            "PATH": "/usr/bin:/bin",
            "LANG": "C",
            "CLAUDE_GATE_AUTH_STORAGE_TYPE": "file",
        ]
        environment.merge(extra) { _, new in new }
        return environment
    }

    /// Runs claude-gate with `arguments`, writing `input` to its standard input.
    func run(_ arguments: [String], input: String = "", environment extra: [String: String] = [:]) throws -> TextResult {
        try Self.runProcess(Self.executableURL(), arguments: arguments, input: input, environment: environment(extra))
    }

    /// Runs any program, such as a shell that loads a completion script,
    /// through the suite's ``runProcess(_:_:environment:stdin:)``.
    static func runProcess(_ executable: URL, arguments: [String], input: String = "",
                           environment: [String: String]) throws -> TextResult {
        let result = try ClaudeGateTests.runProcess(executable.path, arguments, environment: environment,
                                                    stdin: Data(input.utf8))
        return TextResult(status: result.status, stdout: result.stdoutText, stderr: result.stderr)
    }

    /// Returns the claude-gate executable under test (see
    /// ``TestEnvironment/binaryPath``).
    static func executableURL() throws -> URL {
        let url = URL(fileURLWithPath: TestEnvironment.binaryPath)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw XCTSkip("claude-gate is not built at \(url.path): run 'swift build' first (make test does)")
        }
        return url
    }

    /// Returns the path of a program such as bash, zsh or fish, or nil when
    /// it is not installed.
    static func programURL(_ name: String) -> URL? {
        for directory in ["/usr/bin", "/bin", "/usr/local/bin"] {
            let path = directory + "/" + name
            if FileManager.default.isExecutableFile(atPath: path) {
                return URL(fileURLWithPath: path)
            }
        }
        return nil
    }
}

/// The commands and their options as `claude-gate --help` lists them, read
/// from the output so that tests compare generated artifacts with the help
/// people see.
struct DocumentedCommands {
    /// Command words such as `auth login`, in help order.
    var commands: [String]
    /// Each command's option spellings such as `--provider NAME`.
    var options: [String: [String]]
    /// The environment variables listed under "Environment:".
    var environmentVariables: [String]

    static func read(with sandbox: FileStorageSandbox) throws -> DocumentedCommands {
        let topLevel = try sandbox.run(["--help"])
        XCTAssertEqual(topLevel.status, 0, topLevel.stderr)
        let commands = section("Commands:", in: topLevel.stdout).map(firstColumn)
        let variables = section("Environment:", in: topLevel.stdout).map(firstColumn)

        var options: [String: [String]] = [:]
        for command in commands {
            let help = try sandbox.run(command.split(separator: " ").map(String.init) + ["--help"])
            XCTAssertEqual(help.status, 0, "\(command) --help: \(help.stderr)")
            options[command] = section("Options:", in: help.stdout).map(firstColumn)
        }
        return DocumentedCommands(commands: commands, options: options, environmentVariables: variables)
    }

    /// Returns the indented lines after `heading`, up to the next blank line.
    private static func section(_ heading: String, in text: String) -> [String] {
        let lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: heading) else { return [] }
        return Array(lines[(start + 1)...].prefix { $0.hasPrefix("  ") })
    }

    /// Returns the text of a table row before the first run of two spaces.
    private static func firstColumn(_ row: String) -> String {
        let trimmed = row.drop { $0 == " " }
        guard let gap = trimmed.range(of: "  ") else { return String(trimmed) }
        return String(trimmed[..<gap.lowerBound])
    }
}
