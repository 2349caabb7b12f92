#if canImport(Glibc)
import Glibc
#endif

/// Writes every message a connection sends or receives, for people debugging
/// Secret Service traffic: as text, one header line and one body line each,
/// or as records of a pcap capture.
///
/// Secrets are never written. In text, fields listed in
/// ``redactedStructFields`` are shown as `<redacted N bytes>`, and other byte
/// arrays show at most their first 16 bytes. In a capture, those fields are
/// replaced with as many zero bytes before the message is marshalled.
public final class MessageDump {
    public enum Direction: String {
        case sent = ">>"
        case received = "<<"
    }

    /// Struct signatures mapped to the indices of fields that hold secret
    /// bytes. The Secret Service secret struct `(oayays)` keeps its value in
    /// field 2, in every method that carries it.
    public var redactedStructFields: [String: Set<Int>]

    private enum Output {
        case lines((String) -> Void)
        case capture(PcapWriter)
    }

    private let output: Output
    private var captureFailed = false

    /// Creates a dump that writes lines to standard error.
    public convenience init(redactedStructFields: [String: Set<Int>]) {
        self.init(redactedStructFields: redactedStructFields) { line in
            fputs(line + "\n", stderr)
        }
    }

    public init(redactedStructFields: [String: Set<Int>], writeLine: @escaping (String) -> Void) {
        self.redactedStructFields = redactedStructFields
        self.output = .lines(writeLine)
    }

    /// Creates a dump that appends each message to a pcap capture.
    public init(redactedStructFields: [String: Set<Int>], capture: PcapWriter) {
        self.redactedStructFields = redactedStructFields
        self.output = .capture(capture)
    }

    /// Writes one message.
    public func write(_ message: DBusMessage, direction: Direction) {
        switch output {
        case .lines(let writeLine):
            writeText(message, direction: direction, to: writeLine)
        case .capture(let writer):
            writeRecord(message, to: writer)
        }
    }

    private func writeRecord(_ message: DBusMessage, to writer: PcapWriter) {
        do {
            let arguments = try message.arguments()
            let redacted = arguments.map(redactingSecrets)
            let safeMessage = redacted == arguments ? message : try message.replacingArguments(redacted)
            try writer.writeRecord(try safeMessage.marshalled())
        } catch {
            // A capture that cannot be written must not break the operation
            // it records, so the failure is reported once and the rest skipped.
            if !captureFailed {
                captureFailed = true
                fputs("claude-gate: warning: D-Bus capture \(writer.path) is incomplete: \(error)\n", stderr)
            }
        }
    }

    /// Returns `value` with every secret field replaced by zero bytes of
    /// the same length.
    public func redactingSecrets(_ value: DBusValue) -> DBusValue {
        switch value {
        case .structure(let fields):
            let secretFields = redactedStructFields[value.signature] ?? []
            return .structure(fields.enumerated().map { index, field in
                if secretFields.contains(index), case .bytes(let bytes) = field {
                    return .bytes([UInt8](repeating: 0, count: bytes.count))
                }
                return redactingSecrets(field)
            })
        case .array(let signature, let elements):
            return .array(elementSignature: signature, elements.map(redactingSecrets))
        case .dictionary(let keySignature, let valueSignature, let entries):
            return .dictionary(keySignature: keySignature, valueSignature: valueSignature, entries.map {
                DBusDictionaryEntry(key: $0.key, value: redactingSecrets($0.value))
            })
        case .variant(let inner):
            return .variant(redactingSecrets(inner))
        default:
            return value
        }
    }

    private func writeText(_ message: DBusMessage, direction: Direction, to writeLine: (String) -> Void) {
        writeLine("dbus \(direction.rawValue) " + header(of: message))
        let body: String
        do {
            body = try message.arguments().map(format).joined(separator: ", ")
        } catch {
            body = "<undecodable body: \(error)>"
        }
        writeLine("dbus \(direction.rawValue)   body: (\(body))")
    }

    private func header(of message: DBusMessage) -> String {
        var fields = ["\(message.type.rawValue)", "serial=\(message.serial)"]
        if message.replySerial != 0 { fields.append("reply_serial=\(message.replySerial)") }
        if let sender = message.sender { fields.append("sender=\(sender)") }
        if let destination = message.destination { fields.append("destination=\(destination)") }
        if let path = message.path { fields.append("path=\(path)") }
        if let member = message.member {
            fields.append("member=\(message.interface.map { $0 + "." } ?? "")\(member)")
        }
        if let errorName = message.errorName { fields.append("error=\(errorName)") }
        fields.append("signature='\(message.signature)'")
        return fields.joined(separator: " ")
    }

    /// Formats a value the way the body line shows it.
    public func format(_ value: DBusValue) -> String {
        switch value {
        case .byte(let byte): return "byte \(byte)"
        case .boolean(let flag): return flag ? "true" : "false"
        case .int16(let number): return String(number)
        case .uint16(let number): return String(number)
        case .int32(let number): return String(number)
        case .uint32(let number): return String(number)
        case .int64(let number): return String(number)
        case .uint64(let number): return String(number)
        case .double(let number): return String(number)
        case .string(let string): return quoted(string)
        case .objectPath(let path): return "path \(path)"
        case .signature(let signature): return "signature '\(signature)'"
        case .bytes(let bytes): return formatBytes(bytes)
        case .array(_, let elements): return "[" + elements.map(format).joined(separator: ", ") + "]"
        case .dictionary(_, _, let entries):
            return "{" + entries.map { format($0.key) + ": " + format($0.value) }.joined(separator: ", ") + "}"
        case .structure(let fields):
            let secretFields = redactedStructFields[value.signature] ?? []
            let parts = fields.enumerated().map { index, field in
                secretFields.contains(index) ? redacted(field) : format(field)
            }
            return "(" + parts.joined(separator: ", ") + ")"
        case .variant(let inner): return "<\(inner.signature)> " + format(inner)
        }
    }

    private func redacted(_ value: DBusValue) -> String {
        if case .bytes(let bytes) = value {
            return "<redacted \(bytes.count) bytes>"
        }
        return "<redacted>"
    }

    private func formatBytes(_ bytes: [UInt8]) -> String {
        let shown = bytes.prefix(16).map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
        let ellipsis = bytes.count > 16 ? "..." : ""
        return "bytes[\(bytes.count)] \(shown)\(ellipsis)"
    }

    private func quoted(_ string: String) -> String {
        var result = "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            default:
                if scalar.value < 0x20 {
                    result += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
