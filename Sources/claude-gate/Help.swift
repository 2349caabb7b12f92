import ClaudeGateStorage
import ClaudeGateCLI

/// The help of one command. `--help` output is built from these entries,
/// so a command and its help are declared in one place.
struct CommandHelp {
    /// The words after `claude-gate`, such as `auth login`.
    var command: String
    var usage: String
    var summary: String
    /// Each option's spelling, such as `--provider NAME`, and what it sets.
    var options: [(String, String)] = []
    var details: [String] = []
    /// The values that shell completion offers for an option that takes a
    /// value, keyed by the option's name (`--provider`). An option missing
    /// here gets no value completions.
    var optionValues: [String: [String]] = [:]
    /// The values that shell completion offers for the positional argument.
    var argumentValues: [String] = []
}

let claudeGateVersion = "0.1.0"

enum HelpCatalog {
    static let globalOptions: [(String, String)] = [
        ("--dump-dbus", "write every D-Bus message sent and received to stderr, with secrets redacted (also CLAUDE_GATE_DBUS_DUMP=1)"),
        ("--dump-dbus=pcap:FILE", "write the messages to FILE as a pcap capture (link type DBUS) for Wireshark or tshark, secrets zeroed"),
        ("--verbose", "write the storage decisions to stderr (also CLAUDE_GATE_DEBUG=1)"),
        ("--version", "print the version and exit"),
        ("-h, --help", "show help for a command"),
    ]

    static let environment: [(String, String)] = [
        ("CLAUDE_GATE_AUTH_STORAGE_TYPE", "auto (default): the keyring when usable, else the file with a warning; keyring: the keyring or exit 4; file: the file, never D-Bus"),
        ("CLAUDE_GATE_KEYRING_SERVICE", "value of the 'service' attribute of keyring items (default claude-gate); one value per profile"),
        ("CLAUDE_GATE_AUTH_STORAGE_PATH", "absolute path of the credentials file (default ~/.claude-gate/auth.json)"),
        ("CLAUDE_GATE_DBUS_TIMEOUT", "seconds a D-Bus method call may take (default 25)"),
        ("CLAUDE_GATE_PROMPT_TIMEOUT", "seconds to wait for a keyring unlock prompt (default 120)"),
        ("CLAUDE_GATE_SECRET_SESSION", "auto (default): DH, plain only if the service lacks DH; dh; plain"),
        ("CLAUDE_GATE_MASTER_PASSWORD", "password that encrypts the credentials file; when set, every write encrypts it (default: unset, plain JSON unless 'auth storage encrypt' was run)"),
        ("CLAUDE_GATE_FILE_KDF_ITERATIONS", "PBKDF2-HMAC-SHA256 iterations for the encrypted file, 1000 to 10000000 (default 600000)"),
        ("CLAUDE_GATE_DBUS_DUMP", "1 to dump D-Bus traffic to stderr, pcap:FILE to capture it, like --dump-dbus"),
        ("CLAUDE_GATE_DEBUG", "1 to log storage decisions to stderr, like --verbose"),
        ("CLAUDE_GATE_AUTO_MIGRATE_TOKENS", "true (default): when the keyring is usable, move the credentials in the file into it, with a backup; false: leave them"),
    ]

    /// The files claude-gate reads and writes, for `--help` and the man page.
    static let files: [(String, String)] = [
        ("~/.claude-gate/auth.json", "credentials file used by the file storage, mode 0600 in a 0700 directory; CLAUDE_GATE_AUTH_STORAGE_PATH moves it"),
    ]

    /// The synopsis shown by `--help` and the man page.
    static let synopsis = "claude-gate [--dump-dbus] [--verbose] COMMAND [OPTIONS]"

    /// One-line description of claude-gate, the NAME line of the man page.
    static let tagline = "store a command-line app's credentials in the Secret Service or a file"

    /// The DESCRIPTION section of the man page, one paragraph per entry.
    static let description: [String] = [
        "claude-gate stores one credential per provider: an API key or an OAuth token set. By default it keeps them in the freedesktop Secret Service (GNOME Keyring, KeePassXC or another keyring on the D-Bus session bus) and falls back to the file ~/.claude-gate/auth.json when no keyring is usable.",
        "Credentials are read from standard input, never from the command line. CLAUDE_GATE_AUTH_STORAGE_TYPE forces one storage.",
        "The token storage guide, storage.md, covers how the storage is chosen, containers, profiles and what to do about each error message. "
            + "The Debian package installs it in /usr/share/doc/claude-gate.",
    ]

    /// The EXAMPLES section of the man page: what each command does, and the command.
    static let examples: [(String, String)] = [
        ("Store an API key for the default provider, anthropic, read from a variable:",
         "printf '%s\\n' \"$ANTHROPIC_API_KEY\" | claude-gate auth login"),
        ("Store an OAuth token set for another provider from a file with \"access\", \"refresh\" and \"expires\":",
         "claude-gate auth login --provider example --oauth < token.json"),
        ("Run a program with the stored key in its environment, never in its arguments:",
         "claude-gate exec -- some-program"),
        ("List the stored credentials as JSON:",
         "claude-gate auth status --json"),
        ("Check which storage is selected, then write and delete a test credential in it:",
         "claude-gate auth storage status && claude-gate auth storage test"),
        ("Use the file storage, for example in a container without a keyring:",
         "CLAUDE_GATE_AUTH_STORAGE_TYPE=file claude-gate auth status"),
        ("Load bash completion in the current shell:",
         "source <(claude-gate completion bash)"),
    ]

    static let commands: [CommandHelp] = [
        CommandHelp(
            command: "auth login", usage: "claude-gate auth login [--provider NAME] [--api-key | --oauth]",
            summary: "Store a credential read from standard input.",
            options: [
                ("--provider NAME", "provider to store the credential for (default anthropic)"),
                ("--api-key", "the input is an API key on one line (default)"),
                ("--oauth", "the input is a JSON object with \"access\", \"refresh\" and \"expires\" (Unix seconds)"),
            ],
            details: [
                "The credential is never taken from the command line. On a terminal it is read without echo.",
                "Example: printf '%s\\n' \"$KEY\" | claude-gate auth login --provider anthropic",
            ],
            optionValues: ["--provider": providerCompletions]),
        CommandHelp(
            command: "auth token", usage: "claude-gate auth token [--provider NAME]",
            summary: "Print the API key or OAuth access token, for scripts.",
            options: [("--provider NAME", "provider to read (default anthropic)")],
            details: [
                "Prints only the secret and a newline. Exits 3 with nothing on stdout when none is stored, and "
                    + "with another non-zero status and nothing on stdout when the storage fails. An expired OAuth "
                    + "token is still printed, with a warning on stderr.",
                "This is the interface for credential helpers such as Claude Code's apiKeyHelper. To pass the "
                    + "credential in an environment variable instead, use 'claude-gate exec'.",
            ],
            optionValues: ["--provider": providerCompletions]),
        CommandHelp(
            command: "exec",
            usage: "claude-gate exec [--provider NAME] [--env VAR] [--allow-expired] -- COMMAND [ARGS...]",
            summary: "Run a command with the credential in one of its environment variables.",
            options: [
                ("--provider NAME", "provider whose credential to pass (default anthropic)"),
                ("--env VAR", "variable that receives the credential (default ANTHROPIC_API_KEY for an API key, "
                    + "ANTHROPIC_AUTH_TOKEN for an OAuth access token)"),
                ("--allow-expired", "start the command even when the OAuth access token has expired"),
            ],
            details: [
                "claude-gate replaces itself with COMMAND through execve, without a shell. COMMAND keeps the "
                    + "process ID, and its exit status, or the signal that ends it, reaches the caller unchanged.",
                "The credential is put only into COMMAND's environment, never into its arguments, the output of "
                    + "claude-gate or a file. A variable of the same name already in the environment is replaced, "
                    + "with a note on stderr.",
                "COMMAND is looked up in PATH before the credential is read. When COMMAND is not started, "
                    + "claude-gate exits with its own status, for example 3 (no credential), 4 (storage not "
                    + "usable), 7 (OAuth token expired), 126 (COMMAND not executable) or 127 (COMMAND not found).",
                "Example: claude-gate exec -- claude",
            ],
            optionValues: ["--provider": providerCompletions]),
        CommandHelp(
            command: "auth status", usage: "claude-gate auth status [--json]",
            summary: "List the stored credentials with type, validity and a masked value.",
            options: [("--json", "print one JSON object without secrets instead of the table")],
            details: [
                "The JSON object has \"storage\" (keyring or file), \"location\" and \"credentials\": an array sorted by "
                    + "provider of objects with \"provider\", \"type\" (api or oauth), \"status\" (valid, needs_refresh or "
                    + "expired), \"expires\" (Unix seconds, or null) and \"storage\" (the storage that holds it).",
            ]),
        CommandHelp(
            command: "auth logout", usage: "claude-gate auth logout [--provider NAME] [--purge-backups]",
            summary: "Remove credentials from every storage that holds them.",
            options: [
                ("--provider NAME", "remove only this provider's credential (default: all providers)"),
                ("--purge-backups", "also delete the backups in ~/.claude-gate/backups and the auth.json.migrated copies"),
            ],
            details: ["Afterwards it says how many backups and migrated copies still hold credentials."],
            optionValues: ["--provider": providerCompletions]),
        CommandHelp(
            command: "auth storage status", usage: "claude-gate auth storage status [--json]",
            summary: "Show the selected storage, where it is, whether it is usable and why.",
            options: [("--json", "print one JSON object instead of text")],
            details: [
                "Exits 4 when the selected storage is not usable, after printing the status.",
                "The JSON object has \"setting\" (auto, keyring or file), \"storage\" (keyring or file), \"location\", "
                    + "\"usable\" (true or false), \"reason\", \"providers\" (the number of stored credentials, or null when "
                    + "unknown), \"also_read\" (an array of \"KIND: LOCATION\" strings for the storages read after the selected one) "
                    + "and \"backups\" (the paths of the backups in ~/.claude-gate/backups, oldest first).",
            ]),
        CommandHelp(
            command: "auth storage test", usage: "claude-gate auth storage test",
            summary: "Write, read, list and delete a throwaway credential in the selected storage.",
            details: ["Prints one line per step and exits non-zero on the first failure; nothing is left behind."]),
        CommandHelp(
            command: "auth storage encrypt", usage: "claude-gate auth storage encrypt",
            summary: "Encrypt the credentials file with a master password, or change its password.",
            details: [
                "The password is CLAUDE_GATE_MASTER_PASSWORD, or is typed twice on the terminal without echo.",
                "The file becomes one JWE (PBES2-HS256+A128KW, A256GCM); later commands ask for the password on the terminal",
                "or take it from CLAUDE_GATE_MASTER_PASSWORD. The file is replaced atomically.",
            ]),
        CommandHelp(
            command: "auth storage decrypt", usage: "claude-gate auth storage decrypt",
            summary: "Rewrite the encrypted credentials file as plain JSON.",
            details: ["Needs the current master password. Does nothing when the file is not encrypted."]),
        CommandHelp(
            command: "auth storage migrate",
            usage: "claude-gate auth storage migrate --from file|keyring|legacy --to file|keyring [--dry-run] [--yes] [--force]",
            summary: "Move the credentials from one storage to another, with a backup and verification.",
            options: [
                ("--from STORAGE", "file, keyring, or legacy: the Go claude-gate's Secret Service items and ~/.claude-gate/auth.json"),
                ("--to STORAGE", "file or keyring"),
                ("--dry-run", "list what would be moved and change nothing"),
                ("--yes", "do not ask for confirmation (required when standard input is not a terminal)"),
                ("--force", "replace credentials that the destination holds with a different value (backed up first)"),
            ],
            details: [
                "Steps: back up the source to ~/.claude-gate/backups, write each credential to the destination, read every one back and compare, and only then remove the source copies.",
                "A migrated file is renamed to auth.json.migrated (mode 0600). If the command is interrupted, every credential is still in the source or the destination; run it again to finish.",
            ],
            optionValues: ["--from": ["file", "keyring", "legacy"], "--to": ["file", "keyring"]]),
        CommandHelp(
            command: "auth storage backup", usage: "claude-gate auth storage backup [--storage file|keyring]",
            summary: "Write a timestamped backup of the credentials to ~/.claude-gate/backups.",
            options: [("--storage STORAGE", "back up file or keyring (default: the selected storage)")],
            details: ["Backups are 0600 files in a 0700 directory. The newest \(BackupDirectory.retainedCount) are kept and older ones are deleted."],
            optionValues: ["--storage": ["file", "keyring"]]),
        CommandHelp(
            command: "auth storage restore", usage: "claude-gate auth storage restore FILE [--to file|keyring] [--yes] [--force]",
            summary: "Write the credentials of a backup back into a storage.",
            options: [
                ("--to STORAGE", "file or keyring (default: the selected storage)"),
                ("--yes", "do not ask for confirmation (required when standard input is not a terminal)"),
                ("--force", "replace credentials that the storage holds with a different value (backed up first)"),
            ],
            details: ["Each credential is read back and compared after it is written. The backup file is kept."],
            optionValues: ["--to": ["file", "keyring"]]),
        CommandHelp(
            command: "auth storage init-keyring", usage: "claude-gate auth storage init-keyring",
            summary: "Create the keyring's default collection when the Secret Service has none.",
            details: ["The Secret Service asks for the new collection's password in its own dialog; the command "
                      + "waits at most CLAUDE_GATE_PROMPT_TIMEOUT seconds for it. Does nothing when a default "
                      + "collection exists. Exits 5 when the dialog is dismissed or times out."]),
        CommandHelp(
            command: "completion", usage: "claude-gate completion bash|zsh|fish",
            summary: "Print a shell completion script for claude-gate.",
            details: [
                "bash: source <(claude-gate completion bash), or save it as ~/.local/share/bash-completion/completions/claude-gate.",
                "zsh: save it as _claude-gate in a directory of $fpath, before compinit runs.",
                "fish: claude-gate completion fish > ~/.config/fish/completions/claude-gate.fish",
            ],
            argumentValues: CompletionShell.allCases.map(\.rawValue)),
    ]

    /// The provider names that shell completion offers. Completion does not
    /// list the stored providers, because listing them can wait for the full
    /// D-Bus timeout or open a keyring unlock dialog while a person presses Tab.
    static let providerCompletions = [defaultProvider]

    static func help(for command: String) -> CommandHelp? {
        commands.first { $0.command == command }
    }

    static var topLevel: String {
        var lines = [
            "claude-gate \(claudeGateVersion): \(tagline).",
            "",
            "Usage: \(synopsis)",
            "",
            "Commands:",
        ]
        let width = commands.map(\.command.count).max() ?? 0
        for command in commands {
            lines.append("  " + command.command.padding(width) + "  " + command.summary)
        }
        lines += ["", "Global options:"] + formatTable(globalOptions)
        lines += ["", "Environment:"] + formatTable(environment)
        lines += ["", "Exit status:"] + formatTable(ExitCode.allCases.map { (String($0.rawValue), $0.summary) })
        lines += ["", "Files:"] + formatTable(files)
        lines += ["", "Run 'claude-gate COMMAND --help' for a command's options."]
        return lines.joined(separator: "\n")
    }

    static func text(for help: CommandHelp) -> String {
        var lines = ["Usage: \(help.usage)", "", help.summary]
        if !help.options.isEmpty {
            lines += ["", "Options:"] + formatTable(help.options)
        }
        if !help.details.isEmpty {
            lines += [""] + help.details
        }
        lines += ["", "Global options --dump-dbus and --verbose apply; see 'claude-gate --help' for the environment and exit status."]
        return lines.joined(separator: "\n")
    }

    private static func formatTable(_ rows: [(String, String)]) -> [String] {
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { "  " + $0.0.padding(width) + "  " + $0.1 }
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
