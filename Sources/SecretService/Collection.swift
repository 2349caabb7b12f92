import DBus

/// The `org.freedesktop.Secret.Collection` interface of one collection.
public struct CollectionProxy {
    let object: ObjectProxy

    public var path: String { object.path }

    public init(connection: DBusConnection, path: String) {
        object = ObjectProxy(connection: connection, path: path, interface: SecretServiceNames.collectionInterface)
    }

    /// Creates an item, or with `replace` overwrites the secret of the item
    /// with the same attributes, and returns the item path or the prompt to
    /// run first.
    ///
    /// Calls `CreateItem`.
    public func createItem(
        label: String, attributes: [String: String], secret: TransferredSecret, replace: Bool
    ) throws -> (item: String?, prompt: String?) {
        let properties = DBusValue.variantDictionary([
            (SecretServiceNames.itemLabelProperty, .string(label)),
            (SecretServiceNames.itemAttributesProperty, .stringDictionary(attributes)),
        ])
        let reply = try object.call("CreateItem", [properties, secret.dbusValue, .boolean(replace)], replySignature: "oo")
        let item = reply[0].objectPathValue ?? SecretServiceNames.noObject
        let prompt = reply[1].objectPathValue ?? SecretServiceNames.noObject
        return (item == SecretServiceNames.noObject ? nil : item,
                prompt == SecretServiceNames.noObject ? nil : prompt)
    }

    /// Reads the `Locked` property.
    public func isLocked() throws -> Bool {
        try object.booleanProperty("Locked")
    }

    /// Reads the `Items` property: the paths of the collection's items.
    public func items() throws -> [String] {
        let value = try object.property("Items")
        guard let paths = value.objectPathArrayValue else {
            throw SecretServiceError.protocolViolation("Items of \(path) is '\(value.signature)', expected 'ao'")
        }
        return paths
    }
}
