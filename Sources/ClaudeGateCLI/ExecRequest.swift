/// The parsed command line of `exec`.
public struct ExecRequest: Equatable, Sendable {
    public var provider: String
    /// The variable named by `--env`, or nil for the credential type's default.
    public var variable: String?
    public var allowExpired: Bool
    /// COMMAND and its arguments, never empty.
    public var command: [String]

    public init(provider: String, variable: String?, allowExpired: Bool, command: [String]) {
        self.provider = provider
        self.variable = variable
        self.allowExpired = allowExpired
        self.command = command
    }

    /// Parses the arguments of `exec`, the words after `claude-gate exec`.
    public static func parse(_ arguments: [String]) throws -> ExecRequest {
        // Everything after the first `--` belongs to COMMAND, so that its
        // own options (`ls -l`, `curl --header`) are never parsed as options of exec.
        let separator = arguments.firstIndex(of: "--")
        let optionArguments = separator.map { Array(arguments[..<$0]) } ?? arguments
        let command = separator.map { Array(arguments[($0 + 1)...]) } ?? []

        let options = try parseOptions(optionArguments, spec: CommandOptions.exec, command: "exec")
        if let extra = options.positionals.first {
            if separator == nil {
                throw usageError("missing '--' before the command: run 'claude-gate exec [OPTIONS] -- \(extra) ...'",
                                 command: "exec")
            }
            throw usageError("unexpected argument '\(extra)' before '--'", command: "exec")
        }
        guard !command.isEmpty else {
            throw usageError("missing the command: put it after '--', for example 'claude-gate exec -- env'",
                             command: "exec")
        }

        let provider = try validatedProvider(options, command: "exec")
        var variable: String?
        if let name = options.value("--env") {
            guard isValidVariableName(name) else {
                throw usageError("invalid environment variable name '\(name)' for --env: use letters, digits "
                                 + "and '_', not starting with a digit", command: "exec")
            }
            variable = name
        }
        return ExecRequest(provider: provider, variable: variable, allowExpired: options.has("--allow-expired"),
                           command: command)
    }

    /// Checks a name against `[A-Za-z_][A-Za-z0-9_]*`, the names POSIX
    /// shells accept for variables.
    public static func isValidVariableName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first else { return false }
        let isLetter = { (scalar: Unicode.Scalar) in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || scalar == "_"
        }
        return isLetter(first) && name.unicodeScalars.allSatisfy { isLetter($0) || ($0 >= "0" && $0 <= "9") }
    }
}
