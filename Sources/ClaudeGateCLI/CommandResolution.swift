/// Splits the global flags off the arguments. They may stand anywhere
/// before a `--`.
public func extractGlobalFlags(_ arguments: [String]) -> (rest: [String], dump: String?, verbose: Bool, help: Bool) {
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

/// Finds the longest run of up to three leading words for which
/// `isCommand` returns true, and returns it with the remaining words.
///
/// Command names are the words joined with spaces, so a word that contains
/// a space never matches: otherwise `claude-gate "auth login"` would run
/// `auth login`.
public func resolveCommand(_ words: [String], isCommand: (String) -> Bool) -> (name: String, arguments: [String])? {
    for length in stride(from: min(3, words.count), through: 1, by: -1) {
        let candidate = words[..<length]
        if candidate.contains(where: { $0.contains(" ") }) {
            continue
        }
        let name = candidate.joined(separator: " ")
        if isCommand(name) {
            return (name, Array(words[length...]))
        }
    }
    return nil
}
