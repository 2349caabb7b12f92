/// A failure in the D-Bus layer. Each case carries the value that failed so
/// that callers can say what went wrong and where.
public enum DBusError: Error, Equatable, Sendable {
    /// Neither `DBUS_SESSION_BUS_ADDRESS` nor `XDG_RUNTIME_DIR` is set, so
    /// there is no session bus address to connect to.
    case noSessionBusAddress
    /// libdbus-1 could not be opened; `message` names the library, the
    /// loader's reason and the package to install.
    case libraryUnavailable(message: String)
    /// Connecting or registering with the bus at `address` failed.
    case connectionFailed(address: String, name: String, message: String)
    /// The peer replied to a method call with an error.
    case remote(name: String, message: String, member: String)
    /// No reply arrived within the method timeout.
    case timedOut(member: String, seconds: Double)
    /// The connection to the bus was closed.
    case disconnected(member: String)
    /// The wait for a reply or signal was ended by ``DBusConnection/shouldStopWaiting``.
    case interrupted(member: String)
    /// The reply's body does not have the signature the caller expects.
    case unexpectedSignature(member: String, expected: String, actual: String)
    /// A value could not be appended to or read from a message.
    case marshalling(String)
    /// libdbus could not allocate memory.
    case outOfMemory

    /// The D-Bus error name for remote errors, timeouts and disconnects.
    public var errorName: String? {
        switch self {
        case .remote(let name, _, _), .connectionFailed(_, let name, _): return name
        case .timedOut: return "org.freedesktop.DBus.Error.NoReply"
        case .disconnected: return "org.freedesktop.DBus.Error.Disconnected"
        default: return nil
        }
    }
}

extension DBusError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .noSessionBusAddress:
            return "no D-Bus session bus: neither DBUS_SESSION_BUS_ADDRESS nor XDG_RUNTIME_DIR is set"
        case .libraryUnavailable(let message):
            return message
        case .connectionFailed(let address, let name, let message):
            return "cannot connect to the D-Bus session bus at \(address): \(message) (\(name))"
        case .remote(let name, let message, let member):
            return "\(member) failed: \(message) (\(name))"
        case .timedOut(let member, let seconds):
            return "\(member) timed out after \(formatSeconds(seconds)) s without a reply"
        case .disconnected(let member):
            return "the D-Bus connection closed during \(member)"
        case .interrupted(let member):
            return "\(member) was interrupted"
        case .unexpectedSignature(let member, let expected, let actual):
            return "\(member) replied with signature '\(actual)', expected '\(expected)'"
        case .marshalling(let detail):
            return "invalid D-Bus message: \(detail)"
        case .outOfMemory:
            return "libdbus ran out of memory"
        }
    }
}

func formatSeconds(_ seconds: Double) -> String {
    seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
}
