import DBus

/// The `org.freedesktop.Secret.Item` interface of one item.
public struct ItemProxy {
    let object: ObjectProxy

    public var path: String { object.path }

    public init(connection: DBusConnection, path: String) {
        object = ObjectProxy(connection: connection, path: path, interface: SecretServiceNames.itemInterface)
    }

    /// Deletes the item and returns the prompt to run, if the service needs one.
    ///
    /// Calls `Delete`.
    public func delete() throws -> String? {
        let reply = try object.call("Delete", [], replySignature: "o")
        let prompt = reply[0].objectPathValue ?? SecretServiceNames.noObject
        return prompt == SecretServiceNames.noObject ? nil : prompt
    }

    /// Reads the `Attributes` property.
    public func attributes() throws -> [String: String] {
        let value = try object.property("Attributes")
        guard let attributes = value.stringDictionaryValue else {
            throw SecretServiceError.protocolViolation("Attributes of \(path) is '\(value.signature)', expected 'a{ss}'")
        }
        return attributes
    }

    /// Reads the `Locked` property.
    public func isLocked() throws -> Bool {
        try object.booleanProperty("Locked")
    }
}
