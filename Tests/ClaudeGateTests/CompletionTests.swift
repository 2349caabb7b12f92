import Foundation
import XCTest

/// `claude-gate completion bash|zsh|fish`, loaded into the real shells.
final class CompletionTests: XCTestCase {
    private func script(_ shell: String, sandbox: FileStorageSandbox) throws -> URL {
        let result = try sandbox.run(["completion", shell])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        let file = sandbox.home.appendingPathComponent("completion.\(shell)")
        try result.stdout.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The words bash completes for `words`, where the last word is the one
    /// under the cursor, with the completion function called as bash would.
    private func bashCompletions(_ words: [String], script: URL, sandbox: FileStorageSandbox) throws -> [String] {
        guard let bash = FileStorageSandbox.programURL("bash") else { throw XCTSkip("bash is not installed") }
        let program = """
            source "$1"
            shift
            COMP_WORDS=(claude-gate "$@")
            COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
            _claude_gate
            printf '%s\\n' "${COMPREPLY[@]}"
            """
        let result = try FileStorageSandbox.runProcess(bash, arguments: ["-c", program, "bash", script.path] + words,
                                               environment: sandbox.environment())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "", "bash printed errors for \(words)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    func testBashScriptLoads() throws {
        guard let bash = FileStorageSandbox.programURL("bash") else { throw XCTSkip("bash is not installed") }
        let sandbox = try FileStorageSandbox()
        let file = try script("bash", sandbox: sandbox)
        let result = try FileStorageSandbox.runProcess(bash, arguments: ["-c", "source \"$1\" && complete -p claude-gate", "bash", file.path],
                                               environment: sandbox.environment())
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "complete -F _claude_gate claude-gate\n")
    }

    func testBashCompletesCommandsAndValues() throws {
        let sandbox = try FileStorageSandbox()
        let file = try script("bash", sandbox: sandbox)
        let cases: [(words: [String], expected: [String])] = [
            ([""], ["auth", "exec", "completion"]),
            (["au"], ["auth"]),
            (["auth", ""], ["login", "token", "status", "logout", "storage"]),
            (["--verbose", "auth", "storage", ""], ["status", "test", "encrypt", "decrypt", "migrate", "backup", "restore", "init-keyring"]),
            (["auth", "storage", "migrate", "--from", ""], ["file", "keyring", "legacy"]),
            (["auth", "login", "--provider", ""], ["anthropic"]),
            (["auth", "login", "--provider", "=", "an"], ["anthropic"]),
            (["auth", "login", "--provider", "x", "--o"], ["--oauth"]),
            (["auth", "status", "--j"], ["--json"]),
            (["completion", ""], ["bash", "zsh", "fish"]),
            (["completion", "bash", ""], []),
            (["exec", "--e"], ["--env"]),
            (["--v"], ["--verbose", "--version"]),
        ]
        for (words, expected) in cases {
            XCTAssertEqual(try bashCompletions(words, script: file, sandbox: sandbox), expected, "for \(words)")
        }
    }

    func testBashOffersEveryDocumentedOption() throws {
        let sandbox = try FileStorageSandbox()
        let file = try script("bash", sandbox: sandbox)
        let documented = try DocumentedCommands.read(with: sandbox)
        for command in documented.commands {
            let offered = try bashCompletions(command.split(separator: " ").map(String.init) + ["-"], script: file, sandbox: sandbox)
            for option in documented.options[command] ?? [] {
                let name = String(option.split(separator: " ")[0])
                XCTAssertTrue(offered.contains(name), "'\(command)' does not offer \(name); offered \(offered)")
            }
            XCTAssertTrue(offered.contains("--help"), "'\(command)' does not offer --help")
        }
    }

    func testZshScriptParsesAndRegisters() throws {
        guard let zsh = FileStorageSandbox.programURL("zsh") else { throw XCTSkip("zsh is not installed") }
        let sandbox = try FileStorageSandbox()
        let file = try script("zsh", sandbox: sandbox)

        let syntax = try FileStorageSandbox.runProcess(zsh, arguments: ["-n", file.path], environment: sandbox.environment())
        XCTAssertEqual(syntax.status, 0, syntax.stderr)

        let program = "autoload -U compinit && compinit -u -D && source \"$1\" && print -r -- $_comps[claude-gate]"
        let sourced = try FileStorageSandbox.runProcess(zsh, arguments: ["-f", "-c", program, "zsh", file.path],
                                                environment: sandbox.environment())
        XCTAssertEqual(sourced.status, 0, sourced.stderr)
        XCTAssertEqual(sourced.stdout, "_claude_gate\n")

        // Installed as _claude-gate in $fpath, compinit finds it by its #compdef line.
        let directory = sandbox.home.appendingPathComponent("zsh-functions")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: file, to: directory.appendingPathComponent("_claude-gate"))
        let autoloaded = try FileStorageSandbox.runProcess(
            zsh, arguments: ["-f", "-c", "fpath=(\"$1\" $fpath); autoload -U compinit && compinit -u -D && print -r -- $_comps[claude-gate]",
                             "zsh", directory.path],
            environment: sandbox.environment())
        XCTAssertEqual(autoloaded.status, 0, autoloaded.stderr)
        XCTAssertEqual(autoloaded.stdout, "_claude-gate\n")
    }

    func testFishCompletesCommandsAndValues() throws {
        guard let fish = FileStorageSandbox.programURL("fish") else { throw XCTSkip("fish is not installed") }
        let sandbox = try FileStorageSandbox()
        let file = try script("fish", sandbox: sandbox)

        let syntax = try FileStorageSandbox.runProcess(fish, arguments: ["-n", file.path], environment: sandbox.environment())
        XCTAssertEqual(syntax.status, 0, syntax.stderr)

        let cases: [(line: String, expected: [String])] = [
            ("claude-gate ", ["auth", "completion", "exec"]),
            ("claude-gate auth storage ", ["backup", "decrypt", "encrypt", "init-keyring", "migrate", "restore", "status", "test"]),
            ("claude-gate auth login --provider ", ["anthropic"]),
            ("claude-gate completion ", ["bash", "fish", "zsh"]),
            ("claude-gate completion bash ", []),
        ]
        for (line, expected) in cases {
            let program = "source $argv[1]; complete -C $argv[2]"
            let result = try FileStorageSandbox.runProcess(fish, arguments: ["--no-config", "-c", program, file.path, line],
                                                   environment: sandbox.environment())
            XCTAssertEqual(result.status, 0, result.stderr)
            // Each line is the candidate, a tab and its description.
            let words = result.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }
            XCTAssertEqual(words.sorted(), expected.sorted(), "for '\(line)'")
        }

        let options = try FileStorageSandbox.runProcess(fish, arguments: ["--no-config", "-c", "source $argv[1]; complete -C 'claude-gate auth status --'", file.path],
                                                environment: sandbox.environment())
        XCTAssertTrue(options.stdout.contains("--json\t"), "fish does not offer --json: \(options.stdout)")
    }

    func testCompletionRejectsUnknownShell() throws {
        let result = try FileStorageSandbox().run(["completion", "tcsh"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("unsupported shell 'tcsh': expected one of bash, zsh, fish"), result.stderr)
    }

    func testCompletionRequiresShellName() throws {
        let result = try FileStorageSandbox().run(["completion"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("missing shell name"), result.stderr)
    }

    func testCompletionIgnoresStorageSettings() throws {
        // A shell startup file that loads completion must keep working when a
        // storage variable is invalid.
        let result = try FileStorageSandbox().run(["completion", "bash"], environment: ["CLAUDE_GATE_AUTH_STORAGE_TYPE": "invalid"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("complete -F _claude_gate claude-gate"))
    }
}
