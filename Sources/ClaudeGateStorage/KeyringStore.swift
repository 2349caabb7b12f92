import CCrypto
import SecretService

/// Credentials as Secret Service items, one per provider.
///
/// Items carry the attributes `service` (the profile's service name) and
/// `username` (the provider), the pair that secret-tool, Python keyring and
/// go-keyring search by, so those tools find the same items. The secret is
/// the credential's UTF-8 JSON with content type `text/plain`, because
/// gnome-keyring 42 and KeePassXC 2.7 report `text/plain` whatever type was
/// stored.
public final class KeyringStore: CredentialStore {
    public let kind = StorageKind.keyring
    public let serviceName: String

    private let environment: [String: String]
    private let options: SecretServiceOptions
    private var connectedClient: SecretServiceClient?

    public static let contentType = "text/plain"

    public init(serviceName: String, environment: [String: String], options: SecretServiceOptions) {
        self.serviceName = serviceName
        self.environment = environment
        self.options = options
    }

    public var location: String {
        let bus = SecretServiceClient.sessionBusAddress(environment: environment) ?? "no session bus"
        return "Secret Service on \(bus), service '\(serviceName)'"
    }

    /// Returns the label that keyring managers show for a provider's item.
    public static func label(for provider: String) -> String {
        "Claude Gate - \(provider)"
    }

    func attributes(for provider: String) -> [String: String] {
        ["service": serviceName, "username": provider]
    }

    /// Connects on first use and keeps the connection for later calls.
    ///
    /// Throws the failure that ``checkAvailability()`` recorded, so that the
    /// operation reports it instead of waiting for the same timeout again.
    func client() throws -> SecretServiceClient {
        if let availabilityFailure {
            throw StorageError.keyring(operation: "checking the Secret Service", availabilityFailure)
        }
        if let connectedClient { return connectedClient }
        let client = try keyringOperation("connecting to the Secret Service") {
            try SecretServiceClient.connect(environment: environment, options: options)
        }
        connectedClient = client
        return client
    }

    /// A failure of ``checkAvailability()`` that does not mean the keyring is
    /// absent, such as a timeout or an invalid reply.
    private var availabilityFailure: SecretServiceError?

    /// Checks that the bus is reachable, the service is present and a
    /// default collection exists.
    ///
    /// Only a missing bus, service or default collection makes the keyring
    /// unavailable. Any other failure, a timeout above all, reports the
    /// keyring as available and makes every later operation throw that
    /// failure: with `auto` a slow or broken keyring must surface as an
    /// error, never as a silent switch to the file.
    public func checkAvailability() -> StoreAvailability {
        do {
            _ = try client().defaultCollection()
            return .available
        } catch StorageError.keyring(_, let error) where error.meansServiceUnusable {
            return .unavailable(reason: error.description, nextStep: Self.nextStep(for: error))
        } catch StorageError.keyring(_, let error) {
            availabilityFailure = error
            return .available
        } catch let error as SecretServiceError where error.meansServiceUnusable {
            return .unavailable(reason: error.description, nextStep: Self.nextStep(for: error))
        } catch let error as SecretServiceError {
            availabilityFailure = error
            return .available
        } catch {
            return .unavailable(reason: "\(error)")
        }
    }

    /// Returns the advice for an unusable keyring when starting or unlocking
    /// the keyring would not help, else nil. A missing libdbus-1 is named,
    /// with the package to install, in the error's own message.
    private static func nextStep(for error: SecretServiceError) -> String? {
        if case .busUnavailable(.libraryUnavailable) = error {
            return "Or set CLAUDE_GATE_AUTH_STORAGE_TYPE=file"
        }
        return nil
    }

    /// The label of the collection that ``createDefaultCollection()`` creates.
    public static let defaultCollectionLabel = "Login"

    /// Creates the collection behind the `default` alias through the
    /// service's own prompt, which requests a password from the user, and
    /// returns its path. `created` is false when one already existed.
    public func createDefaultCollection() throws -> (path: String, created: Bool) {
        let client = try client()
        return try keyringOperation("creating the default collection") {
            try client.createDefaultCollection(label: Self.defaultCollectionLabel)
        }
    }

    public func read(provider: String) throws -> Credential? {
        let client = try client()
        guard var secret = try keyringOperation("reading '\(provider)'", {
            try client.readSecret(matching: attributes(for: provider))
        }) else {
            return nil
        }
        defer { clearSecret(&secret) }
        return try decodeCredential(secret, provider: provider)
    }

    public func write(_ credential: Credential, provider: String) throws {
        let client = try client()
        var secret = try credential.json.serialized()
        defer { clearSecret(&secret) }
        try keyringOperation("storing '\(provider)'") {
            try client.storeSecret(secret, label: Self.label(for: provider),
                                   attributes: attributes(for: provider), contentType: Self.contentType)
        }
    }

    @discardableResult
    public func delete(provider: String) throws -> Bool {
        let client = try client()
        return try keyringOperation("deleting '\(provider)'") {
            try client.deleteSecrets(matching: attributes(for: provider)) > 0
        }
    }

    public func listProviders() throws -> [String] {
        let client = try client()
        let items = try keyringOperation("listing credentials") {
            try client.itemAttributes(matching: ["service": serviceName])
        }
        return Set(items.compactMap { $0["username"] }).sorted()
    }

    private func decodeCredential(_ secret: [UInt8], provider: String) throws -> Credential {
        let location = "the keyring (service '\(serviceName)')"
        guard String(validating: secret, as: UTF8.self) != nil else {
            throw StorageError.invalidCredential(provider: provider, location: location, detail: "the secret is not valid UTF-8")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(secret)
        } catch {
            throw StorageError.invalidCredential(provider: provider, location: location, detail: "the secret is not JSON")
        }
        do {
            return try Credential(json: json)
        } catch let error as CredentialFormatError {
            throw StorageError.invalidCredential(provider: provider, location: location, detail: error.detail)
        }
    }

    @discardableResult
    private func keyringOperation<T>(_ operation: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as SecretServiceError {
            throw StorageError.keyring(operation: operation, error)
        }
    }
}

/// Overwrites a buffer that held a secret before it is released.
public func clearSecret(_ bytes: inout [UInt8]) {
    bytes.withUnsafeMutableBytes { ccrypto_cleanse($0.baseAddress, $0.count) }
}
