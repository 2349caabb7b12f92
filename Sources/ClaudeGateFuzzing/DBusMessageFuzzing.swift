import DBus
import SecretService

/// The body of the D-Bus decoder fuzz target: parses bytes as a message in
/// wire format and runs every step that claude-gate runs on a received
/// message, so that libFuzzer and the corpus replay test exercise the same code.
public enum DBusMessageFuzzing {
    /// A text dump with the Secret Service redactions that discards its lines.
    private static let textDump = MessageDump(redactedStructFields: SecretServiceNames.dumpRedactions) { _ in }

    /// Decodes `bytes`, formats the message as `--dump-dbus` does and checks
    /// that re-encoding the decoded body yields the same values.
    ///
    /// Invalid input is expected and ignored. Only a crash or a failed
    /// precondition is a finding.
    public static func testOneInput(_ bytes: [UInt8]) {
        guard let message = try? DBusMessage.demarshal(bytes) else { return }

        textDump.write(message, direction: .received)
        guard let arguments = try? message.arguments() else { return }
        let formatted = arguments.map(textDump.format)
        let redacted = arguments.map(textDump.redactingSecrets)

        // A pcap capture writes the redacted body through replacingArguments
        // and marshalled, so those must accept whatever the decoder returns.
        guard let copy = try? message.replacingArguments(arguments) else {
            preconditionFailure("re-encoding a decoded body failed; signature '\(message.signature)'")
        }
        guard let wire = try? copy.marshalled(), let decodedAgain = try? DBusMessage.demarshal(wire) else {
            preconditionFailure("a re-encoded message does not parse; signature '\(message.signature)'")
        }
        precondition(decodedAgain.signature == message.signature,
                     "re-encoding changed the signature from '\(message.signature)' to '\(decodedAgain.signature)'")
        // Formatted text is compared rather than values, because a NaN
        // double is never equal to itself.
        let formattedAgain = ((try? decodedAgain.arguments()) ?? []).map(textDump.format)
        precondition(formattedAgain == formatted, "re-encoding changed the body of a '\(message.signature)' message")

        precondition(redacted.map(\.signature) == arguments.map(\.signature),
                     "redaction changed the signature of a '\(message.signature)' message")
        _ = try? message.replacingArguments(redacted).marshalled()
    }
}
