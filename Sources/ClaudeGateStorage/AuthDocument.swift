/// The contents of `auth.json`: a JSON object of provider name to
/// credential object, the layout of the earlier Go claude-gate.
///
/// Entries are kept as JSON so that providers and fields this version does
/// not understand survive a rewrite unchanged.
public struct AuthDocument: Equatable {
    public var entries: [String: JSONValue]

    public init(entries: [String: JSONValue] = [:]) {
        self.entries = entries
    }

    /// Parses the bytes of an unencrypted `auth.json`. An empty file is an
    /// error, not an empty document, because it is what a torn write by
    /// another program leaves behind.
    public init(parsing bytes: [UInt8]) throws {
        guard !bytes.isEmpty else {
            throw CredentialFormatError(detail: "the file is empty")
        }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw CredentialFormatError(detail: "the file is not valid UTF-8")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw CredentialFormatError(detail: "the file is not valid JSON")
        }
        guard case .object(let entries) = json else {
            throw CredentialFormatError(detail: "the file contains a JSON \(json.typeName), expected an object of providers")
        }
        self.entries = entries
    }

    public var providers: [String] {
        entries.keys.sorted()
    }

    /// Returns the provider's credential, or nil when there is none.
    public func credential(for provider: String) throws -> Credential? {
        guard let json = entries[provider] else { return nil }
        return try Credential(json: json)
    }

    public mutating func setCredential(_ credential: Credential, for provider: String) {
        entries[provider] = credential.json
    }

    public func serialized() throws -> [UInt8] {
        try JSONValue.object(entries).serialized(pretty: true) + [0x0a]
    }
}
