import ClaudeGateStorage

/// The options a command accepts: flags that take no value and options that
/// take one (`--provider NAME` or `--provider=NAME`).
public struct OptionSpec: Sendable {
    public var flags: Set<String> = []
    public var valued: Set<String> = []

    public init(flags: Set<String> = [], valued: Set<String> = []) {
        self.flags = flags
        self.valued = valued
    }
}

/// A command's arguments after parsing.
public struct ParsedOptions: Sendable {
    public var flags: Set<String> = []
    public var values: [String: String] = [:]
    public var positionals: [String] = []

    public init() {}

    public func has(_ flag: String) -> Bool { flags.contains(flag) }
    public func value(_ option: String) -> String? { values[option] }
}

/// Parses `arguments` against `spec`; `command` names the command in errors.
public func parseOptions(_ arguments: [String], spec: OptionSpec, command: String) throws -> ParsedOptions {
    var parsed = ParsedOptions()
    var index = 0
    while index < arguments.count {
        let argument = arguments[index]
        index += 1

        if argument == "--" {
            parsed.positionals.append(contentsOf: arguments[index...])
            break
        }
        guard argument.hasPrefix("--") else {
            parsed.positionals.append(argument)
            continue
        }

        let name: String
        var inlineValue: String?
        if let equals = argument.firstIndex(of: "=") {
            name = String(argument[..<equals])
            inlineValue = String(argument[argument.index(after: equals)...])
        } else {
            name = argument
        }

        if spec.flags.contains(name) {
            guard inlineValue == nil else {
                throw usageError("\(name) takes no value", command: command)
            }
            parsed.flags.insert(name)
        } else if spec.valued.contains(name) {
            if let inlineValue {
                parsed.values[name] = inlineValue
            } else if index < arguments.count {
                parsed.values[name] = arguments[index]
                index += 1
            } else {
                throw usageError("\(name) needs a value", command: command)
            }
        } else {
            throw usageError("unknown option '\(name)'", command: command)
        }
    }
    return parsed
}

/// Returns a usage error that points to the command's help.
public func usageError(_ message: String, command: String) -> CommandFailure {
    CommandFailure(message: "\(message). See 'claude-gate \(command) --help'", exitCode: .usage)
}

/// Returns the `--provider` value, or the default provider, after checking
/// it with ``Credential/isValidProviderName(_:)``.
public func validatedProvider(_ options: ParsedOptions, command: String) throws -> String {
    let provider = options.value("--provider") ?? defaultProvider
    guard Credential.isValidProviderName(provider) else {
        throw usageError("invalid provider name '\(provider)': use 1 to 64 letters, digits, '-', '_' or '.'",
                         command: command)
    }
    return provider
}

public let defaultProvider = "anthropic"
