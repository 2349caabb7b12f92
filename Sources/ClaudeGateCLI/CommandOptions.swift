/// The options each command accepts. The commands and the command-line fuzz
/// target both read them from here, so the fuzz target parses exactly what
/// the CLI parses.
public enum CommandOptions {
    public static let authLogin = OptionSpec(flags: ["--api-key", "--oauth"], valued: ["--provider"])
    public static let authToken = OptionSpec(valued: ["--provider"])
    public static let authStatus = OptionSpec(flags: ["--json"])
    public static let authLogout = OptionSpec(flags: ["--purge-backups"], valued: ["--provider"])
    public static let storageStatus = OptionSpec(flags: ["--json"])
    public static let storageTest = OptionSpec()
    public static let exec = OptionSpec(flags: ["--allow-expired"], valued: ["--provider", "--env"])
    public static let completion = OptionSpec()

    /// Every command's options, keyed by the command's words after `claude-gate`.
    public static let byCommand: [String: OptionSpec] = [
        "auth login": authLogin,
        "auth token": authToken,
        "auth status": authStatus,
        "auth logout": authLogout,
        "auth storage status": storageStatus,
        "auth storage test": storageTest,
        "exec": exec,
        "completion": completion,
    ]
}
