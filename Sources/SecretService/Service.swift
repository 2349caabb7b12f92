import CCrypto
import DBus

/// The `org.freedesktop.Secret.Service` interface at `/org/freedesktop/secrets`.
public struct ServiceProxy {
    let object: ObjectProxy

    public init(connection: DBusConnection) {
        object = ObjectProxy(connection: connection, path: SecretServiceNames.servicePath,
                             interface: SecretServiceNames.serviceInterface)
    }

    /// Opens a session for transferring secrets, negotiating the algorithm
    /// according to `preference`.
    ///
    /// Calls `OpenSession`. With `.auto`, DH is tried first and plain only
    /// when the service returns `NotSupported`, as libsecret does, so that a
    /// transient failure never downgrades the session to plain text.
    public func openSession(preference: SessionAlgorithmPreference) throws -> SecretSession {
        switch preference {
        case .plain:
            return try openPlainSession()
        case .dh:
            return try openDHSession()
        case .auto:
            do {
                return try openDHSession()
            } catch SecretServiceError.dbus(let error) where error.errorName == SecretServiceErrorNames.notSupported {
                return try openPlainSession()
            }
        }
    }

    private func openPlainSession() throws -> SecretSession {
        // gnome-keyring rejects any input but a string variant for plain.
        let reply = try object.call("OpenSession", [.string(SessionAlgorithm.plain.rawValue), .variant(.string(""))],
                                    replySignature: "vo")
        guard let path = reply[1].objectPathValue else {
            throw SecretServiceError.protocolViolation("OpenSession returned no session path")
        }
        return SecretSession(path: path, algorithm: .plain, key: [])
    }

    /// The number of sessions opened before giving up on a shared secret
    /// whose first byte is zero; each attempt fails with probability 1/256.
    private static let maximumDHAttempts = 8

    private func openDHSession() throws -> SecretSession {
        for _ in 0..<Self.maximumDHAttempts {
            if let session = try finishDHSession(try startDHSession()) {
                return session
            }
        }
        throw SecretServiceError.sessionFailed(
            "\(Self.maximumDHAttempts) DH sessions in a row gave a shared secret with a leading zero byte")
    }

    /// A DH `OpenSession` that was sent and whose reply has not been read.
    public struct PendingDHSession {
        fileprivate let keyPair: DHKeyPair
        fileprivate let call: DBusConnection.PendingCall
    }

    /// Generates a key pair and sends `OpenSession` for DH without waiting,
    /// so that a read can overlap it with `SearchItems`.
    public func startDHSession() throws -> PendingDHSession {
        let keyPair = try DHKeyPair()
        let call = try object.send(
            "OpenSession", [.string(SessionAlgorithm.dhAES.rawValue), .variant(.bytes(keyPair.publicKey))])
        return PendingDHSession(keyPair: keyPair, call: call)
    }

    /// Reads the reply to ``startDHSession()`` and derives the session key.
    /// Returns nil, after closing the session, when the shared secret starts
    /// with a zero byte; the caller then opens another session.
    public func finishDHSession(_ pending: PendingDHSession) throws -> SecretSession? {
        let reply = try object.reply(pending.call, replySignature: "vo")
        guard let serverPublicKey = reply[0].unwrappingVariant.bytesValue, let path = reply[1].objectPathValue else {
            throw SecretServiceError.protocolViolation(
                "OpenSession output is '\(reply[0].unwrappingVariant.signature)', expected a DH public key 'ay'")
        }
        let session = SecretSession(path: path, algorithm: .dhAES, key: [])

        var secret: [UInt8]
        do {
            secret = try pending.keyPair.sharedSecret(serverPublicKey: serverPublicKey)
        } catch {
            session.close(on: object.connection)
            throw error
        }
        defer { secret.withUnsafeMutableBytes { ccrypto_cleanse($0.baseAddress, $0.count) } }

        // gnome-keyring runs HKDF over the secret padded to 128 bytes and
        // kwalletd5 over the secret with its leading zero bytes removed.
        // The two inputs agree only when the first byte is not zero, so a
        // session with such a secret is closed and a new one opened.
        if secret[0] == 0 {
            session.close(on: object.connection)
            return nil
        }
        return SecretSession(path: path, algorithm: .dhAES, key: try sessionKey(fromSharedSecret: secret))
    }

    /// Returns the collection behind `alias`, or nil when there is none.
    ///
    /// Calls `ReadAlias`. KeePassXC exports no object at the alias path
    /// `/org/freedesktop/secrets/aliases/default`, so aliases are always
    /// resolved this way.
    public func readAlias(_ alias: String) throws -> String? {
        let reply = try object.call("ReadAlias", [.string(alias)], replySignature: "o")
        let path = reply[0].objectPathValue ?? SecretServiceNames.noObject
        return path == SecretServiceNames.noObject ? nil : path
    }

    /// Reads the `Collections` property: the paths of every collection.
    public func collections() throws -> [String] {
        let value = try object.property("Collections")
        guard let paths = value.objectPathArrayValue else {
            throw SecretServiceError.protocolViolation("Collections is '\(value.signature)', expected 'ao'")
        }
        return paths
    }

    /// Returns the items in every collection whose attributes include
    /// `attributes`, split by whether they are unlocked.
    ///
    /// Calls `SearchItems`.
    public func searchItems(_ attributes: [String: String]) throws -> (unlocked: [String], locked: [String]) {
        try finishSearchItems(try startSearchItems(attributes))
    }

    /// Sends `SearchItems` without waiting; ``finishSearchItems(_:)`` reads the reply.
    public func startSearchItems(_ attributes: [String: String]) throws -> DBusConnection.PendingCall {
        try object.send("SearchItems", [.stringDictionary(attributes)])
    }

    public func finishSearchItems(_ pending: DBusConnection.PendingCall) throws -> (unlocked: [String], locked: [String]) {
        let reply = try object.reply(pending, replySignature: "aoao")
        return (reply[0].objectPathArrayValue ?? [], reply[1].objectPathArrayValue ?? [])
    }

    /// Unlocks `objects` and returns those unlocked at once, with the prompt
    /// to run for the rest (nil when none is needed).
    ///
    /// Calls `Unlock`.
    public func unlock(_ objects: [String]) throws -> (unlocked: [String], prompt: String?) {
        let reply = try object.call("Unlock", [.array(elementSignature: "o", objects.map { .objectPath($0) })],
                                    replySignature: "aoo")
        let prompt = reply[1].objectPathValue ?? SecretServiceNames.noObject
        return (reply[0].objectPathArrayValue ?? [], prompt == SecretServiceNames.noObject ? nil : prompt)
    }

    /// Locks `objects` and returns those locked at once, with the prompt to
    /// run for the rest (nil when none is needed).
    ///
    /// Calls `Lock`.
    public func lock(_ objects: [String]) throws -> (locked: [String], prompt: String?) {
        let reply = try object.call("Lock", [.array(elementSignature: "o", objects.map { .objectPath($0) })],
                                    replySignature: "aoo")
        let prompt = reply[1].objectPathValue ?? SecretServiceNames.noObject
        return (reply[0].objectPathArrayValue ?? [], prompt == SecretServiceNames.noObject ? nil : prompt)
    }

    /// Creates a collection labelled `label` and points `alias` at it, and
    /// returns the collection's path or the prompt to run first. In that
    /// prompt the service requests the new collection's password from the user.
    ///
    /// Calls `CreateCollection`.
    public func createCollection(label: String, alias: String) throws -> (collection: String?, prompt: String?) {
        let properties = DBusValue.variantDictionary([(SecretServiceNames.collectionLabelProperty, .string(label))])
        let reply = try object.call("CreateCollection", [properties, .string(alias)], replySignature: "oo")
        let collection = reply[0].objectPathValue ?? SecretServiceNames.noObject
        let prompt = reply[1].objectPathValue ?? SecretServiceNames.noObject
        return (collection == SecretServiceNames.noObject ? nil : collection,
                prompt == SecretServiceNames.noObject ? nil : prompt)
    }

    /// Returns the secrets of `items`, keyed by item path, as sent through
    /// `session`. Locked items are left out by the service.
    ///
    /// Calls `GetSecrets`.
    public func getSecrets(_ items: [String], session: SecretSession) throws -> [String: TransferredSecret] {
        let reply = try object.call(
            "GetSecrets", [.array(elementSignature: "o", items.map { .objectPath($0) }), .objectPath(session.path)],
            replySignature: "a{o(oayays)}")
        guard case .dictionary(_, _, let entries) = reply[0] else { return [:] }
        var secrets: [String: TransferredSecret] = [:]
        for entry in entries {
            guard let path = entry.key.objectPathValue, let secret = TransferredSecret(entry.value) else {
                throw SecretServiceError.protocolViolation("GetSecrets returned an entry that is not a secret")
            }
            secrets[path] = secret
        }
        return secrets
    }
}
