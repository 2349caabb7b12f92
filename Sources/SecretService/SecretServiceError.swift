import DBus

/// A failure of a Secret Service operation, in the terms a caller acts on.
///
/// D-Bus errors are mapped to these cases in ``SecretServiceError/init(_:)``
/// and nowhere else; the original name and message stay in the case.
public enum SecretServiceError: Error, Equatable {
    /// The session bus could not be reached.
    case busUnavailable(DBusError)
    /// Nothing on the bus owns `org.freedesktop.secrets`.
    case serviceUnavailable(busAddress: String)
    /// `ReadAlias("default")` returned no collection.
    case noDefaultCollection
    /// The object is locked and could not be unlocked.
    case locked(objectPath: String)
    /// The user or the service dismissed the prompt.
    case promptDismissed(promptPath: String)
    /// The prompt did not complete in time and was dismissed by the client.
    case promptTimedOut(promptPath: String, seconds: Double)
    /// The object no longer exists.
    case noSuchObject(objectPath: String)
    /// No session algorithm could be negotiated or used.
    case sessionFailed(String)
    /// The secret of an item could not be decrypted.
    case decryptionFailed(itemPath: String)
    /// The operation was stopped by a signal such as SIGINT; any prompt it
    /// showed was dismissed.
    case interrupted
    /// The service sent something the protocol does not allow.
    case protocolViolation(String)
    /// A D-Bus failure that has no more specific case: a timeout, a closed
    /// connection or an unexpected error reply.
    case dbus(DBusError)

    /// Maps a D-Bus error to the case the caller handles.
    public init(_ error: DBusError, objectPath: String = "") {
        // The bus itself replies NoReply when the service exits or crashes
        // between receiving a call and replying, so the service is gone.
        if case .remote(SecretServiceErrorNames.noReply, _, _) = error {
            self = .serviceUnavailable(busAddress: "")
            return
        }
        switch error.errorName {
        case SecretServiceErrorNames.serviceUnknown?, SecretServiceErrorNames.nameHasNoOwner?:
            self = .serviceUnavailable(busAddress: "")
        case SecretServiceErrorNames.isLocked?:
            self = .locked(objectPath: objectPath)
        case SecretServiceErrorNames.noSuchObject?, SecretServiceErrorNames.unknownObject?:
            self = .noSuchObject(objectPath: objectPath)
        default:
            if case .interrupted = error {
                self = .interrupted
            } else if case .unexpectedSignature = error {
                self = .protocolViolation(error.description)
            } else {
                self = .dbus(error)
            }
        }
    }

    /// True for failures that mean the Secret Service cannot be used at all,
    /// as opposed to failures of one operation.
    public var meansServiceUnusable: Bool {
        switch self {
        case .busUnavailable, .serviceUnavailable, .noDefaultCollection: return true
        default: return false
        }
    }
}

extension SecretServiceError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .busUnavailable(let error):
            return error.description
        case .serviceUnavailable(let address):
            let bus = address.isEmpty ? "the session bus" : "the session bus at \(address)"
            return "no Secret Service on \(bus): nothing owns \(SecretServiceNames.busName)"
        case .noDefaultCollection:
            return "the Secret Service has no default collection (ReadAlias(\"default\") returned /)"
        case .locked(let path):
            return "\(path.isEmpty ? "the keyring" : path) is locked"
        case .promptDismissed(let path):
            return "the prompt \(path) was dismissed, by the user or by a service that cannot show it"
        case .promptTimedOut(let path, let seconds):
            return "the prompt \(path) did not complete within \(Int(seconds)) s and was dismissed"
        case .noSuchObject(let path):
            return "\(path.isEmpty ? "the object" : path) does not exist"
        case .sessionFailed(let detail):
            return "cannot open a Secret Service session: \(detail)"
        case .decryptionFailed(let path):
            return "cannot decrypt the secret of \(path): the session key does not match"
        case .interrupted:
            return "interrupted"
        case .protocolViolation(let detail):
            return "the Secret Service sent an invalid reply: \(detail)"
        case .dbus(let error):
            return error.description
        }
    }
}
