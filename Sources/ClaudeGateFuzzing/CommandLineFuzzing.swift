import ClaudeGateCLI
import ClaudeGateStorage

/// The body of the command-line fuzz target: splits bytes into arguments and
/// runs the CLI's parsing steps on them, checking what each step promises.
public enum CommandLineFuzzing {
    /// The commands the fuzz target resolves. Help-only entries such as
    /// `auth` and `auth storage` are included because `resolveCommand`
    /// accepts them in the CLI too.
    static let commandNames: Set<String> = Set(CommandOptions.byCommand.keys).union(["auth", "auth storage"])

    /// Parses `bytes` as NUL-separated arguments, the layout of
    /// /proc/PID/cmdline. Each argument that contains `=` is also read as
    /// an environment entry for the settings parser.
    ///
    /// Usage errors are expected and ignored. Only a crash or a failed
    /// precondition is a finding.
    public static func testOneInput(_ bytes: [UInt8]) {
        let arguments = bytes.split(separator: 0, omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }

        let global = extractGlobalFlags(arguments)
        precondition(global.rest.count <= arguments.count, "extractGlobalFlags added arguments")

        if let command = resolveCommand(global.rest, isCommand: commandNames.contains) {
            let words = command.name.split(separator: " ").map(String.init)
            precondition(words + command.arguments == global.rest, "resolveCommand lost or reordered arguments")
        }
        for (command, spec) in CommandOptions.byCommand {
            checkParsing(global.rest, spec: spec, command: command)
        }
        // The arguments of exec are the words after "exec", as main passes them.
        checkExecRequest(global.rest.first == "exec" ? Array(global.rest.dropFirst()) : global.rest)

        if let dump = global.dump {
            _ = try? DBusDumpSetting.parse(dump, variable: "--dump-dbus")
        }
        checkSettings(arguments)
    }

    private static func checkParsing(_ arguments: [String], spec: OptionSpec, command: String) {
        let options: ParsedOptions
        do {
            options = try parseOptions(arguments, spec: spec, command: command)
        } catch let failure as CommandFailure {
            precondition(failure.exitCode == .usage, "parseOptions failed with exit code \(failure.exitCode)")
            return
        } catch {
            preconditionFailure("parseOptions threw \(error), which is not a CommandFailure")
        }
        precondition(options.flags.isSubset(of: spec.flags), "parseOptions returned a flag that \(command) does not accept")
        precondition(Set(options.values.keys).isSubset(of: spec.valued),
                     "parseOptions returned a value for an option that \(command) does not accept")
        precondition(options.positionals.count <= arguments.count, "parseOptions added positional arguments")

        if let provider = try? validatedProvider(options, command: command) {
            precondition(!provider.isEmpty && provider.count <= 64, "validatedProvider accepted '\(provider)'")
        }
    }

    /// Parses the arguments as those of `exec`. COMMAND must be exactly
    /// the arguments after the first `--`, because they become the argv of
    /// the program that exec starts.
    private static func checkExecRequest(_ arguments: [String]) {
        guard let request = try? ExecRequest.parse(arguments) else { return }
        guard let separator = arguments.firstIndex(of: "--") else {
            preconditionFailure("ExecRequest.parse accepted arguments without '--'")
        }
        precondition(request.command == Array(arguments[(separator + 1)...]), "exec changed the command's arguments")
        precondition(!request.command.isEmpty, "exec accepted an empty command")
        if let variable = request.variable {
            precondition(ExecRequest.isValidVariableName(variable), "exec accepted the variable name '\(variable)'")
        }
    }

    /// Reads the `NAME=VALUE` arguments as the environment, with a fixed
    /// HOME so that the parser never falls back to the password database.
    private static func checkSettings(_ arguments: [String]) {
        var environment = ["HOME": "/home/fuzz"]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else { continue }
            environment[String(argument[..<equals])] = String(argument[argument.index(after: equals)...])
        }
        do {
            let configuration = try StorageConfiguration.fromEnvironment(environment)
            precondition(configuration.filePath.hasPrefix("/"), "the credentials file path '\(configuration.filePath)' is relative")
        } catch let error as StorageError {
            guard case .invalidSetting = error else {
                preconditionFailure("reading the settings failed with \(error), which is not an invalid setting")
            }
        } catch {
            preconditionFailure("reading the settings threw \(error), which is not a StorageError")
        }
    }
}
