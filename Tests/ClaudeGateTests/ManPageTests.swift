import Foundation
import XCTest

/// `claude-gate __generate-man`, checked against the `--help` output it is
/// generated from.
final class ManPageTests: XCTestCase {
    private func generateManPage(_ sandbox: FileStorageSandbox) throws -> String {
        let result = try sandbox.run(["__generate-man"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stderr, "")
        return result.stdout
    }

    /// roff text for a string, as the generator escapes it.
    private func roff(_ text: String) -> String {
        text.replacingOccurrences(of: "-", with: "\\-")
    }

    func testManPageHasStandardSections() throws {
        let page = try generateManPage(try FileStorageSandbox())
        XCTAssertTrue(page.contains(".TH CLAUDE\\-GATE 1 "), "missing .TH title line")
        for section in ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT",
                        "\"EXIT STATUS\"", "FILES", "EXAMPLES", "\"SEE ALSO\""] {
            XCTAssertTrue(page.contains("\n.SH \(section)\n"), "missing section \(section)")
        }
    }

    func testManPageNamesTheVersion() throws {
        let sandbox = try FileStorageSandbox()
        let version = try sandbox.run(["--version"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(version.hasPrefix("claude-gate "), version)
        XCTAssertTrue(try generateManPage(sandbox).contains("\"\(roff(version))\""), "the .TH line lacks '\(version)'")
    }

    func testManPageDocumentsEveryHelpEntry() throws {
        let sandbox = try FileStorageSandbox()
        let page = try generateManPage(sandbox)
        let documented = try DocumentedCommands.read(with: sandbox)
        XCTAssertFalse(documented.commands.isEmpty, "no commands found in --help")

        for command in documented.commands {
            XCTAssertTrue(page.contains(".SS \"\(roff(command))\"\n"), "no subsection for '\(command)'")
            for option in documented.options[command] ?? [] {
                let name = String(option.split(separator: " ")[0])
                XCTAssertTrue(page.contains("\\fB\(roff(name))\\fR"), "'\(command)' option \(name) is missing")
            }
        }
        for variable in documented.environmentVariables {
            XCTAssertTrue(page.contains(".TP\n\\fB\(roff(variable))\\fR\n"), "environment variable \(variable) is missing")
        }
        for status in 0...6 {
            XCTAssertTrue(page.contains(".TP\n\\fB\(status)\\fR\n"), "exit status \(status) is missing")
        }
    }

    func testManPageOmitsHiddenCommand() throws {
        let page = try generateManPage(try FileStorageSandbox())
        XCTAssertFalse(page.contains(".SS \"__generate"), "the hidden command has a subsection")
    }

    func testManPageEscapesBackslashes() throws {
        let page = try generateManPage(try FileStorageSandbox())
        // The example "printf '%s\n'" must print a backslash, not a roff escape.
        XCTAssertTrue(page.contains("printf '%s\\en'"), "the printf example is not escaped")
        for line in page.split(separator: "\n") where !line.hasPrefix(".") && !line.hasPrefix("\\") {
            XCTAssertFalse(line.hasPrefix("'"), "a text line starts with a control character: \(line)")
        }
    }

    func testManPageRendersWithoutWarnings() throws {
        guard let man = FileStorageSandbox.programURL("man") else {
            throw XCTSkip("man is not installed; install man-db and groff-base")
        }
        let sandbox = try FileStorageSandbox()
        let file = sandbox.home.appendingPathComponent("claude-gate.1")
        try generateManPage(sandbox).write(to: file, atomically: true, encoding: .utf8)

        let rendered = try FileStorageSandbox.runProcess(man, arguments: ["--warnings", "-l", file.path],
                                                 environment: sandbox.environment(["MANWIDTH": "80", "MANPAGER": "cat", "PAGER": "cat"]))
        XCTAssertEqual(rendered.status, 0, rendered.stderr)
        XCTAssertEqual(rendered.stderr, "", "man reported warnings")
        XCTAssertTrue(rendered.stdout.contains("EXIT STATUS"), "the rendered page lacks EXIT STATUS")
    }

    func testGenerateManRejectsArguments() throws {
        let result = try FileStorageSandbox().run(["__generate-man", "extra"])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("unexpected argument 'extra'"), result.stderr)
    }

    func testDocumentedOptionsAreAccepted() throws {
        // Each documented option is followed by an unknown one: when the
        // error names only the unknown option, the parser accepted the
        // documented one, so --help and the parser agree.
        let sandbox = try FileStorageSandbox()
        let documented = try DocumentedCommands.read(with: sandbox)
        for command in documented.commands {
            for option in documented.options[command] ?? [] {
                let words = option.split(separator: " ").map(String.init)
                let value = words.count > 1 ? ["anthropic"] : []
                let arguments = command.split(separator: " ").map(String.init) + [words[0]] + value + ["--no-such-option"]
                let result = try sandbox.run(arguments)
                XCTAssertEqual(result.status, 2, "\(arguments): \(result.stderr)")
                XCTAssertTrue(result.stderr.contains("unknown option '--no-such-option'"),
                              "\(command) rejected its documented option \(words[0]): \(result.stderr)")
            }
        }
    }
}
