import CProcess
import ClaudeGateCLI
import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// A command reached by its words after `claude-gate`.
typealias CommandHandler = ([String], CommandContext) throws -> Void

/// The command tables. They are static members rather than top-level
/// globals, so that they are built on first use: instantiating the
/// dictionary type makes the Swift runtime scan the binary's protocol
/// conformances (seen with perf), which `--version` need not pay for.
enum CommandTable {
    static let handlers: [String: CommandHandler] = [
        "auth login": AuthCommands.login,
        "auth token": AuthCommands.token,
        "auth status": AuthCommands.status,
        "auth logout": AuthCommands.logout,
        "auth storage status": StorageCommands.status,
        "auth storage test": StorageCommands.test,
        "auth storage encrypt": FileEncryptionCommands.encrypt,
        "auth storage decrypt": FileEncryptionCommands.decrypt,
        "auth storage migrate": MigrationCommands.migrate,
        "auth storage backup": MigrationCommands.backup,
        "auth storage restore": MigrationCommands.restore,
        "auth storage init-keyring": StorageCommands.initKeyring,
        "exec": ExecCommand.run,
    ]

    /// Commands that only print text generated from ``HelpCatalog``. They run
    /// without reading the storage settings, so an invalid `CLAUDE_GATE_*`
    /// value cannot break a shell startup file that loads completion.
    static let textHandlers: [String: ([String]) throws -> Void] = [
        "completion": CompletionCommand.run,
        // Hidden from --help and completion: only the Makefile needs it.
        "__generate-man": ManPageCommand.run,
    ]
}

/// Finds the longest run of leading words that names a command.
func resolveCommand(_ words: [String]) -> (name: String, arguments: [String])? {
    resolveCommand(words) { name in
        CommandTable.handlers[name] != nil || CommandTable.textHandlers[name] != nil || HelpCatalog.help(for: name) != nil
    }
}

func run() -> ExitCode {
    disableCoreDumps()
    let global = extractGlobalFlags(Array(CommandLine.arguments.dropFirst()))

    // Signals are recorded rather than fatal, so that an interrupted command
    // dismisses its prompt and finishes or abandons a write cleanly.
    _ = cprocess_install_interrupt_handlers()

    if global.rest.first == "--version" {
        Terminal.printLine("claude-gate \(claudeGateVersion)")
        return .success
    }
    guard let command = resolveCommand(global.rest) else {
        if global.rest.isEmpty || global.help {
            Terminal.printLine(HelpCatalog.topLevel)
            return global.rest.isEmpty && !global.help ? .usage : .success
        }
        let words = global.rest.prefix(3).joined(separator: " ")
        Terminal.printError("unknown command '\(words)'. See 'claude-gate --help' for the list of commands")
        return .usage
    }
    if global.help, let help = HelpCatalog.help(for: command.name) {
        Terminal.printLine(HelpCatalog.text(for: help))
        return .success
    }

    let environment = ProcessInfoEnvironment.current()
    do {
        if let textHandler = CommandTable.textHandlers[command.name] {
            try textHandler(command.arguments)
            return .success
        }
        let context = try CommandContext(environment: environment,
                                         dump: global.dump, verbose: global.verbose)
        guard let handler = CommandTable.handlers[command.name] else {
            Terminal.printLine(HelpCatalog.topLevel)
            return .usage
        }
        try handler(command.arguments, context)

        // A signal that came during work that runs to completion, such as
        // a file write, still ends the process with the interrupted status.
        return cprocess_interrupt_signal() != 0 ? .interrupted : .success
    } catch let failure as CommandFailure {
        Terminal.printError(failure.message)
        return failure.exitCode
    } catch {
        Terminal.printError("\(error)" + storagePathNote(for: error, environment: environment))
        return ExitCode.forError(error)
    }
}

/// Returns a note that names CLAUDE_GATE_AUTH_STORAGE_PATH for an error of
/// the credentials file when that variable set the path, because the error
/// shows only the path and the user may not remember where it came from.
func storagePathNote(for error: Error, environment: [String: String]) -> String {
    guard let value = environment["CLAUDE_GATE_AUTH_STORAGE_PATH"], !value.isEmpty,
          let storageError = error as? StorageError else { return "" }
    switch storageError {
    case .fileSystem, .unreadableFile, .unsafePath:
        return " (the credentials file path comes from CLAUDE_GATE_AUTH_STORAGE_PATH='\(value)')"
    default:
        return ""
    }
}

/// The process environment, read from `environ` without Foundation.
enum ProcessInfoEnvironment {
    static func current() -> [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            pointer += 1
        }
        return result
    }
}

exit(run().rawValue)
