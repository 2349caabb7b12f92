/// Names fixed by the freedesktop Secret Service API (version 0.2).
public enum SecretServiceNames {
    public static let busName = "org.freedesktop.secrets"
    public static let servicePath = "/org/freedesktop/secrets"

    public static let serviceInterface = "org.freedesktop.Secret.Service"
    public static let collectionInterface = "org.freedesktop.Secret.Collection"
    public static let itemInterface = "org.freedesktop.Secret.Item"
    public static let sessionInterface = "org.freedesktop.Secret.Session"
    public static let promptInterface = "org.freedesktop.Secret.Prompt"
    public static let propertiesInterface = "org.freedesktop.DBus.Properties"

    public static let itemLabelProperty = "org.freedesktop.Secret.Item.Label"
    public static let itemAttributesProperty = "org.freedesktop.Secret.Item.Attributes"
    public static let collectionLabelProperty = "org.freedesktop.Secret.Collection.Label"

    /// The object path that stands for "no object" and "no prompt needed".
    public static let noObject = "/"

    /// The alias of the collection that clients store into by default.
    public static let defaultAlias = "default"

    /// The type of the Secret struct: session, parameters, value, content type.
    public static let secretSignature = "(oayays)"

    /// Index of the value field within the Secret struct.
    public static let secretValueField = 2

    /// Redaction rules for ``DBus/MessageDump``: the value of every Secret
    /// struct, whether it is plain or encrypted.
    public static let dumpRedactions: [String: Set<Int>] = [secretSignature: [secretValueField]]
}

/// D-Bus error names that the client treats differently from other failures.
enum SecretServiceErrorNames {
    static let isLocked = "org.freedesktop.Secret.Error.IsLocked"
    static let noSession = "org.freedesktop.Secret.Error.NoSession"
    static let noSuchObject = "org.freedesktop.Secret.Error.NoSuchObject"
    static let notSupported = "org.freedesktop.DBus.Error.NotSupported"
    static let serviceUnknown = "org.freedesktop.DBus.Error.ServiceUnknown"
    static let nameHasNoOwner = "org.freedesktop.DBus.Error.NameHasNoOwner"
    static let unknownObject = "org.freedesktop.DBus.Error.UnknownObject"
    static let unknownMethod = "org.freedesktop.DBus.Error.UnknownMethod"
    static let noReply = "org.freedesktop.DBus.Error.NoReply"
}
