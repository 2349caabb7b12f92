import DBus

/// One object of the Secret Service, seen through one of its interfaces.
/// The interface proxies in this module are thin layers over this type.
struct ObjectProxy {
    let connection: DBusConnection
    let path: String
    let interface: String

    /// Calls `member` on this object and maps D-Bus errors to
    /// ``SecretServiceError``.
    @discardableResult
    func call(_ member: String, _ arguments: [DBusValue], replySignature: String) throws -> [DBusValue] {
        do {
            return try connection.call(
                destination: SecretServiceNames.busName, path: path, interface: interface,
                member: member, arguments: arguments, replySignature: replySignature)
        } catch let error as DBusError {
            throw SecretServiceError(error, objectPath: path)
        }
    }

    /// Sends `member` without waiting for the reply; ``reply(_:replySignature:)``
    /// collects it.
    func send(_ member: String, _ arguments: [DBusValue]) throws -> DBusConnection.PendingCall {
        do {
            return try connection.send(destination: SecretServiceNames.busName, path: path, interface: interface,
                                       member: member, arguments: arguments)
        } catch let error as DBusError {
            throw SecretServiceError(error, objectPath: path)
        }
    }

    /// Waits for the reply to a call made with ``send(_:_:)`` and maps D-Bus
    /// errors to ``SecretServiceError``.
    func reply(_ pending: DBusConnection.PendingCall, replySignature: String) throws -> [DBusValue] {
        do {
            return try connection.reply(to: pending, replySignature: replySignature)
        } catch let error as DBusError {
            throw SecretServiceError(error, objectPath: path)
        }
    }

    /// Reads a property of this object's interface.
    ///
    /// Calls `org.freedesktop.DBus.Properties.Get`.
    func property(_ name: String) throws -> DBusValue {
        let properties = ObjectProxy(connection: connection, path: path, interface: SecretServiceNames.propertiesInterface)
        let reply = try properties.call("Get", [.string(interface), .string(name)], replySignature: "v")
        return reply[0].unwrappingVariant
    }

    /// Reads a boolean property, failing when the service sends another type.
    func booleanProperty(_ name: String) throws -> Bool {
        let value = try property(name)
        guard let flag = value.booleanValue else {
            throw SecretServiceError.protocolViolation("\(interface).\(name) of \(path) is '\(value.signature)', expected 'b'")
        }
        return flag
    }
}
