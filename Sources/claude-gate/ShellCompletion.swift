import ClaudeGateCLI

/// The shells `claude-gate completion` writes scripts for.
enum CompletionShell: String, CaseIterable {
    case bash
    case zsh
    case fish
}

/// The commands, options and values that completion scripts offer, derived
/// from ``HelpCatalog`` so that completion follows what `--help` documents.
struct CompletionModel {
    /// An option with the values completion offers for it.
    struct Option {
        /// The spellings, such as `["-h", "--help"]`.
        var names: [String]
        var takesValue: Bool
        /// The values offered after the option; empty offers nothing.
        var values: [String]
        var summary: String
    }

    /// A command or a group of commands, such as `auth storage`, that the
    /// words typed so far can name.
    struct Node {
        /// The words after `claude-gate`; empty for the top level.
        var path: String
        /// The next words and what each leads to.
        var subcommands: [(word: String, summary: String)]
        /// The command's own options; empty for a group.
        var options: [Option]
        var argumentValues: [String]
    }

    var globalOptions: [Option]
    /// The top level first, then every group and command in catalog order.
    var nodes: [Node]

    /// Returns the options completion offers at `node`: its own and the
    /// global ones. It leaves out `--version` below the top level, because
    /// claude-gate accepts it only before a command.
    func offeredOptions(at node: Node) -> [Option] {
        let global = node.path.isEmpty ? globalOptions : globalOptions.filter { !$0.names.contains("--version") }
        return node.options + global
    }

    /// The path of every command and group, without the top level.
    var commandPaths: [String] {
        nodes.map(\.path).filter { !$0.isEmpty }
    }

    /// Each option that takes a value, once for every node that offers it:
    /// the `PATH|NAME` keys that scripts match the command and the previous
    /// word against, and the values to offer.
    var valueCompletions: [(keys: [String], values: [String])] {
        nodes.flatMap { node in
            offeredOptions(at: node).filter(\.takesValue).map { option in
                (option.names.map { node.path + "|" + $0 }, option.values)
            }
        }
    }

    /// Every option that takes a value, global or not. Scripts skip the word
    /// after one of these when they work out which command is being typed.
    var valuedOptionNames: [String] {
        var names: [String] = []
        for option in globalOptions + nodes.flatMap(\.options) where option.takesValue {
            for name in option.names where !names.contains(name) {
                names.append(name)
            }
        }
        return names
    }

    static func fromCatalog() -> CompletionModel {
        // Every prefix of a command path is a node: "auth storage status"
        // gives "", "auth", "auth storage" and itself.
        var paths: [String] = [""]
        for command in HelpCatalog.commands {
            let words = command.command.split(separator: " ").map(String.init)
            for length in 1...words.count {
                let path = words[..<length].joined(separator: " ")
                if !paths.contains(path) { paths.append(path) }
            }
        }

        let nodes = paths.map { path -> Node in
            let help = HelpCatalog.help(for: path)
            return Node(path: path, subcommands: subcommands(of: path, among: paths),
                        options: (help?.options ?? []).map { option($0, values: help?.optionValues ?? [:]) },
                        argumentValues: help?.argumentValues ?? [])
        }
        return CompletionModel(globalOptions: HelpCatalog.globalOptions.map { option($0, values: [:]) }, nodes: nodes)
    }

    private static func subcommands(of path: String, among paths: [String]) -> [(word: String, summary: String)] {
        let prefix = path.isEmpty ? "" : path + " "
        return paths.compactMap { candidate in
            guard candidate.hasPrefix(prefix), candidate != path else { return nil }
            let rest = candidate.dropFirst(prefix.count)
            guard !rest.contains(" ") else { return nil }
            return (String(rest), summary(of: candidate, among: paths))
        }
    }

    /// Returns the text completion menus show next to a word: the command's
    /// summary, or for a group the list of its subcommands.
    private static func summary(of path: String, among paths: [String]) -> String {
        // Completion menus show a phrase, so the summary's final period goes.
        if let help = HelpCatalog.help(for: path) {
            return help.summary.hasSuffix(".") ? String(help.summary.dropLast()) : help.summary
        }
        let words = subcommands(of: path, among: paths).map(\.word)
        return "commands: " + words.joined(separator: ", ")
    }

    /// Splits a spelling such as `--provider NAME` or `-h, --help` into the
    /// option's names and whether it takes a value.
    private static func option(_ entry: (String, String), values: [String: [String]]) -> Option {
        let words = entry.0.split(separator: " ").map { String($0.hasSuffix(",") ? $0.dropLast() : $0) }
        let names = words.filter { $0.hasPrefix("-") }
        let takesValue = words.contains { !$0.hasPrefix("-") }
        let offered = names.compactMap { values[$0] }.first ?? []
        return Option(names: names, takesValue: takesValue, values: offered, summary: entry.1)
    }
}

/// `claude-gate completion SHELL`.
enum CompletionCommand {
    static func run(_ arguments: [String]) throws {
        let options = try parseOptions(arguments, spec: CommandOptions.completion, command: "completion")
        let shells = CompletionShell.allCases.map(\.rawValue).joined(separator: ", ")
        guard let name = options.positionals.first else {
            throw usageError("missing shell name: expected one of \(shells)", command: "completion")
        }
        guard let shell = CompletionShell(rawValue: name) else {
            throw usageError("unsupported shell '\(name)': expected one of \(shells)", command: "completion")
        }
        if let extra = options.positionals.dropFirst().first {
            throw usageError("unexpected argument '\(extra)'", command: "completion")
        }

        let model = CompletionModel.fromCatalog()
        switch shell {
        case .bash: Terminal.printLine(BashCompletionScript(model: model).render())
        case .zsh: Terminal.printLine(ZshCompletionScript(model: model).render())
        case .fish: Terminal.printLine(FishCompletionScript(model: model).render())
        }
    }
}

/// The hidden command `claude-gate __generate-man`, which the Makefile runs.
enum ManPageCommand {
    static func run(_ arguments: [String]) throws {
        if let extra = arguments.first {
            throw CommandFailure(message: "unexpected argument '\(extra)': __generate-man takes no arguments", exitCode: .usage)
        }
        fputs(ManPage.roff(), stdout)
    }
}

#if canImport(Glibc)
import Glibc
#endif
