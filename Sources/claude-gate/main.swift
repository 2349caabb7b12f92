import ClaudeGateStorage

#if canImport(Glibc)
import Glibc
#endif

/// A command reached by its words after `claude-gate`.
typealias CommandHandler = ([String], CommandContext) throws -> Void

let handlers: [String: CommandHandler] = [
    "auth login": AuthCommands.login,
    "auth token": AuthCommands.token,
    "auth status": AuthCommands.status,
    "auth logout": AuthCommands.logout,
    "auth storage status": StorageCommands.status,
    "auth storage test": StorageCommands.test,
    "auth storage init-keyring": StorageCommands.initKeyring,
    "exec": ExecCommand.run,
]

/// Splits the global flags off the arguments. They may stand anywhere
/// before a `--`.
func extractGlobalFlags(_ arguments: [String]) -> (rest: [String], dump: String?, verbose: Bool, help: Bool) {
    var rest: [String] = []
    var dump: String?
    var verbose = false
    var help = false
    var afterSeparator = false
    for argument in arguments {
        if afterSeparator {
            rest.append(argument)
            continue
        }
        switch argument {
        case "--": afterSeparator = true; rest.append(argument)
        case "--dump-dbus": dump = "text"
        case _ where argument.hasPrefix("--dump-dbus="): dump = String(argument.dropFirst("--dump-dbus=".count))
        case "--verbose": verbose = true
        case "--help", "-h": help = true
        default: rest.append(argument)
        }
    }
    return (rest, dump, verbose, help)
}

/// Finds the longest run of leading words that names a command.
func resolveCommand(_ words: [String]) -> (name: String, arguments: [String])? {
    for length in stride(from: min(3, words.count), through: 1, by: -1) {
        let name = words[..<length].joined(separator: " ")
        if handlers[name] != nil || HelpCatalog.help(for: name) != nil {
            return (name, Array(words[length...]))
        }
    }
    return nil
}

func run() -> ExitCode {
    let global = extractGlobalFlags(Array(CommandLine.arguments.dropFirst()))

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

    do {
        let context = try CommandContext(environment: ProcessInfoEnvironment.current(),
                                         dump: global.dump, verbose: global.verbose)
        guard let handler = handlers[command.name] else {
            Terminal.printLine(HelpCatalog.topLevel)
            return .usage
        }
        try handler(command.arguments, context)
        return .success
    } catch let failure as CommandFailure {
        Terminal.printError(failure.message)
        return failure.exitCode
    } catch {
        Terminal.printError("\(error)")
        return ExitCode.forError(error)
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
