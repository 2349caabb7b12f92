/// The storage kinds a user can choose with `CLAUDE_GATE_AUTH_STORAGE_TYPE`.
public enum StorageKind: String, Sendable, CaseIterable {
    /// The freedesktop Secret Service (GNOME Keyring, KWallet, KeePassXC).
    case keyring
    /// `auth.json` in the claude-gate directory.
    case file
}

/// Whether a store can be used, and if not, why.
public enum StoreAvailability: Equatable, Sendable {
    case available
    /// `nextStep` is the advice for the user when it differs from the usual
    /// advice to start or unlock the keyring.
    case unavailable(reason: String, nextStep: String? = nil)

    public var isAvailable: Bool { self == .available }
}

/// One place credentials are kept. The CLI only talks to this protocol,
/// through ``CredentialStorage``.
public protocol CredentialStore: AnyObject {
    var kind: StorageKind { get }

    /// The place of the credentials in words a user can act on: a file path,
    /// or the bus and service name.
    var location: String { get }

    /// Checks that the store can be used now, without reading any secret.
    func checkAvailability() -> StoreAvailability

    /// Returns the provider's credential, or nil when there is none.
    func read(provider: String) throws -> Credential?

    /// Stores the provider's credential, replacing any earlier one.
    func write(_ credential: Credential, provider: String) throws

    /// Removes the provider's credential; returns false when there was none.
    @discardableResult
    func delete(provider: String) throws -> Bool

    /// Returns the providers that have a credential, sorted.
    func listProviders() throws -> [String]
}
