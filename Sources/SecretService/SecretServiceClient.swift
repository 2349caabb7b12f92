import CCrypto
import DBus

/// Settings of a ``SecretServiceClient``.
public struct SecretServiceOptions {
    /// Seconds a method call may take.
    public var methodTimeout: Double
    /// Seconds to wait for a prompt to complete before dismissing it.
    public var promptTimeout: Double
    public var sessionAlgorithm: SessionAlgorithmPreference
    /// The dump that sent and received messages are written to, if any.
    public var dump: MessageDump?
    /// Polled while waiting for replies and prompts; returning true ends the
    /// operation with ``SecretServiceError/interrupted`` and dismisses any
    /// prompt that is showing.
    public var isInterrupted: () -> Bool

    public init(methodTimeout: Double, promptTimeout: Double,
                sessionAlgorithm: SessionAlgorithmPreference = .auto, dump: MessageDump? = nil,
                isInterrupted: @escaping () -> Bool = { false }) {
        self.methodTimeout = methodTimeout
        self.promptTimeout = promptTimeout
        self.sessionAlgorithm = sessionAlgorithm
        self.dump = dump
        self.isInterrupted = isInterrupted
    }
}

/// Stores, reads and deletes secrets by attributes, the way secret-tool
/// does, on one connection to the Secret Service.
///
/// A session is opened only when a secret is transferred, so a lookup that
/// finds nothing costs one round trip after `Hello`.
public final class SecretServiceClient {
    public let connection: DBusConnection
    public let options: SecretServiceOptions
    private let service: ServiceProxy
    private let prompts: PromptRunner
    private var session: SecretSession?

    /// Returns the session bus address that `environment` names, or nil.
    public static func sessionBusAddress(environment: [String: String]) -> String? {
        try? DBusConnection.sessionBusAddress(environment: environment)
    }

    /// Connects to the session bus that `environment` names.
    public static func connect(environment: [String: String], options: SecretServiceOptions) throws -> SecretServiceClient {
        do {
            let address = try DBusConnection.sessionBusAddress(environment: environment)
            let connection = try DBusConnection(address: address, methodTimeout: options.methodTimeout, dump: options.dump)
            return SecretServiceClient(connection: connection, options: options)
        } catch let error as DBusError {
            throw SecretServiceError.busUnavailable(error)
        }
    }

    public init(connection: DBusConnection, options: SecretServiceOptions) {
        connection.shouldStopWaiting = options.isInterrupted
        self.connection = connection
        self.options = options
        self.service = ServiceProxy(connection: connection)
        self.prompts = PromptRunner(connection: connection, timeout: options.promptTimeout)
    }

    deinit {
        session?.close(on: connection)
    }

    /// Returns the path of the collection behind the `default` alias. The
    /// path is remembered, so an availability check followed by a write
    /// costs one `ReadAlias`.
    public func defaultCollection() throws -> String {
        if let cachedDefaultCollection { return cachedDefaultCollection }
        guard let path = try withBusAddress({ try service.readAlias(SecretServiceNames.defaultAlias) }) else {
            throw SecretServiceError.noDefaultCollection
        }
        cachedDefaultCollection = path
        return path
    }

    private var cachedDefaultCollection: String?

    /// The algorithm of the open session, or nil when none was needed yet.
    public var sessionAlgorithm: SessionAlgorithm? { session?.algorithm }

    /// Returns the secret of the first unlocked item whose attributes include
    /// `attributes`, unlocking a locked match when no unlocked one exists.
    /// Returns nil when no item matches.
    public func readSecret(matching attributes: [String: String]) throws -> [UInt8]? {
        // SearchItems and a DH OpenSession go out together, before either
        // reply is awaited, which saves one round trip on the hot path of
        // `auth token`. A session opened for a search that finds nothing is
        // left to the service, which closes it with the connection.
        let search = try withBusAddress { try service.startSearchItems(attributes) }
        let earlySession = session == nil && options.sessionAlgorithm != .plain ? try? service.startDHSession() : nil
        let found = try withBusAddress { try service.finishSearchItems(search) }
        var candidates = found.unlocked
        if candidates.isEmpty {
            guard !found.locked.isEmpty else { return nil }
            // The item may be locked on its own inside an unlocked collection
            // (KeePassXC can do this), so the items are what gets unlocked,
            // and each item's Locked property, not the prompt's result, determines
            // which ones can be read now.
            _ = try unlock(found.locked, areItems: true)
            candidates = try found.locked.filter { try !isLocked($0, isItem: true) }
            guard !candidates.isEmpty else { throw SecretServiceError.locked(objectPath: found.locked[0]) }
        }

        let item = candidates[0]
        let session = try openSession(startedEarly: earlySession)
        let secrets = try withBusAddress { try service.getSecrets([item], session: session) }
        guard let secret = secrets[item] else {
            // GetSecrets leaves out items that are still locked.
            throw SecretServiceError.locked(objectPath: item)
        }
        return try session.decrypt(secret, itemPath: item)
    }

    /// Stores `secret` in the default collection, replacing the item with
    /// the same attributes, and returns the item's path.
    @discardableResult
    public func storeSecret(
        _ secret: [UInt8], label: String, attributes: [String: String], contentType: String
    ) throws -> String {
        let collection = CollectionProxy(connection: connection, path: try defaultCollection())
        let session = try openSession()
        let transferred = try session.encrypt(secret, contentType: contentType)

        let created: (item: String?, prompt: String?)
        do {
            created = try collection.createItem(label: label, attributes: attributes, secret: transferred, replace: true)
        } catch SecretServiceError.locked {
            // NOTE: only a locked collection is unlocked here. Replacing an
            // item that is locked on its own inside an unlocked collection
            // is untested, because no daemon in the tests produces that state.
            _ = try unlock([collection.path], areItems: false)
            created = try collection.createItem(label: label, attributes: attributes, secret: transferred, replace: true)
        }

        if let item = created.item {
            return item
        }
        guard let prompt = created.prompt else {
            throw SecretServiceError.protocolViolation("CreateItem returned neither an item nor a prompt")
        }
        let result = try prompts.run(prompt)
        guard let item = result.objectPathValue, item != SecretServiceNames.noObject else {
            throw SecretServiceError.protocolViolation("the CreateItem prompt returned '\(result.signature)', expected an item path")
        }
        return item
    }

    /// Returns the collection behind the `default` alias, creating it
    /// through the service's own prompt when there is none.
    ///
    /// The service prompts the user for the new collection's password, so this
    /// runs only on the user's request, never as a side effect of
    /// storing a secret. `created` is false when a default collection
    /// already existed.
    public func createDefaultCollection(label: String) throws -> (path: String, created: Bool) {
        if let existing = try withBusAddress({ try service.readAlias(SecretServiceNames.defaultAlias) }) {
            return (existing, false)
        }
        let outcome = try service.createCollection(label: label, alias: SecretServiceNames.defaultAlias)
        if let collection = outcome.collection {
            return (collection, true)
        }
        guard let prompt = outcome.prompt else {
            throw SecretServiceError.protocolViolation("CreateCollection returned neither a collection nor a prompt")
        }
        let result = try prompts.run(prompt)
        guard let collection = result.objectPathValue, collection != SecretServiceNames.noObject else {
            throw SecretServiceError.protocolViolation(
                "the CreateCollection prompt \(prompt) returned '\(result.signature)', expected a collection path")
        }
        return (collection, true)
    }

    /// Deletes every item whose attributes include `attributes`, in every
    /// collection, and returns how many were deleted.
    @discardableResult
    public func deleteSecrets(matching attributes: [String: String]) throws -> Int {
        let found = try withBusAddress { try service.searchItems(attributes) }
        for path in found.unlocked + found.locked {
            try deleteItem(itemPath: path)
        }
        return found.unlocked.count + found.locked.count
    }

    /// Returns the attributes of every item whose attributes include
    /// `attributes`, locked or not; no secret is read.
    public func itemAttributes(matching attributes: [String: String]) throws -> [[String: String]] {
        let found = try withBusAddress { try service.searchItems(attributes) }
        return try (found.unlocked + found.locked).map { try ItemProxy(connection: connection, path: $0).attributes() }
    }

    /// Returns the path and attributes of every item in every collection;
    /// no secret is read. Used to find items that were stored under other
    /// attributes than this client's, such as the 99designs/keyring `profile`.
    public func allItems() throws -> [(path: String, attributes: [String: String])] {
        var result: [(path: String, attributes: [String: String])] = []
        for collectionPath in try withBusAddress({ try service.collections() }) {
            let collection = CollectionProxy(connection: connection, path: collectionPath)
            for itemPath in try collection.items() {
                result.append((itemPath, try ItemProxy(connection: connection, path: itemPath).attributes()))
            }
        }
        return result
    }

    /// Returns the secret of the item at `itemPath`, unlocking it first when
    /// it is locked.
    public func readSecret(itemPath: String) throws -> [UInt8] {
        if try isLocked(itemPath, isItem: true) {
            guard try unlock([itemPath], areItems: true).contains(itemPath) else {
                throw SecretServiceError.locked(objectPath: itemPath)
            }
        }
        let session = try openSession()
        guard let secret = try service.getSecrets([itemPath], session: session)[itemPath] else {
            throw SecretServiceError.locked(objectPath: itemPath)
        }
        return try session.decrypt(secret, itemPath: itemPath)
    }

    /// Deletes the item at `itemPath`, running the prompt if the service
    /// returns one.
    public func deleteItem(itemPath: String) throws {
        let item = ItemProxy(connection: connection, path: itemPath)
        let prompt: String?
        do {
            prompt = try item.delete()
        } catch SecretServiceError.locked {
            _ = try unlock([itemPath], areItems: true)
            prompt = try item.delete()
        }
        if let prompt {
            _ = try prompts.run(prompt)
        }
    }

    /// Closes the session, if one is open, without waiting for the reply.
    public func closeSession() {
        session?.close(on: connection)
        session = nil
    }

    /// Returns the open session, opening one if needed. `startedEarly` is a
    /// DH `OpenSession` already sent. When the service rejects DH with
    /// NotSupported, or the shared secret must be thrown away, the session
    /// is negotiated again with `options.sessionAlgorithm`.
    private func openSession(startedEarly pending: ServiceProxy.PendingDHSession? = nil) throws -> SecretSession {
        if let session { return session }
        if let pending {
            do {
                if let opened = try withBusAddress({ try service.finishDHSession(pending) }) {
                    session = opened
                    return opened
                }
            } catch SecretServiceError.dbus(let error)
                where error.errorName == SecretServiceErrorNames.notSupported && options.sessionAlgorithm == .auto {
                // The normal negotiation below falls back to plain.
            }
        }
        let opened = try withBusAddress { try service.openSession(preference: options.sessionAlgorithm) }
        session = opened
        return opened
    }

    /// Unlocks `objects`, running the prompt if the service returns one, and
    /// returns the objects that are unlocked afterwards.
    private func unlock(_ objects: [String], areItems: Bool) throws -> [String] {
        let outcome = try service.unlock(objects)
        guard let prompt = outcome.prompt else { return outcome.unlocked }
        do {
            let result = try prompts.run(prompt)
            return outcome.unlocked + (result.objectPathArrayValue ?? [])
        } catch SecretServiceError.promptDismissed(let path) {
            // Some services report a dismissal after unlocking anyway, so the
            // Locked property decides.
            let stillLocked = try objects.filter { try isLocked($0, isItem: areItems) }
            if stillLocked.isEmpty { return objects }
            throw SecretServiceError.promptDismissed(promptPath: path)
        }
    }

    private func isLocked(_ path: String, isItem: Bool) throws -> Bool {
        isItem ? try ItemProxy(connection: connection, path: path).isLocked()
               : try CollectionProxy(connection: connection, path: path).isLocked()
    }

    /// Adds the bus address to ``SecretServiceError/serviceUnavailable(busAddress:)``,
    /// which the error mapping cannot know.
    private func withBusAddress<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch SecretServiceError.serviceUnavailable {
            throw SecretServiceError.serviceUnavailable(busAddress: connection.address)
        }
    }
}
