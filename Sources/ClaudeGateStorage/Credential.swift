/// The kind of credential stored for a provider, as the `type` field names it.
public enum CredentialType: String, Sendable {
    /// An OAuth token set: access token, refresh token and expiry.
    case oauth
    /// An API key.
    case api
}

/// Whether a credential can be used now.
public enum CredentialValidity: String, Sendable {
    case valid = "Valid"
    case needsRefresh = "Needs Refresh"
    case expired = "Expired"
}

/// One provider's credential in the layout of the earlier Go claude-gate:
/// `{"type":"oauth","access":…,"refresh":…,"expires":…}` or
/// `{"type":"api","key":…}`, where `expires` is in Unix seconds.
public struct Credential: Equatable, Sendable {
    public var type: CredentialType
    public var accessToken: String?
    public var refreshToken: String?
    /// Expiry of the access token in seconds since 1970; nil or 0 when unknown.
    public var expiresAt: Int64?
    public var apiKey: String?
    /// Fields this version does not know, kept so a rewrite preserves them.
    public var otherFields: [String: JSONValue] = [:]

    /// An OAuth token set is reported as needing a refresh this many seconds
    /// before it expires, as the Go claude-gate did.
    public static let refreshMargin: Int64 = 300

    /// Whether `name` can name a provider: 1 to 64 ASCII letters, digits,
    /// '-', '_' or '.'. A provider name becomes a JSON key, a Secret Service
    /// attribute value and part of messages, so it is kept to a safe,
    /// printable set.
    public static func isValidProviderName(_ name: String) -> Bool {
        let allowed = name.unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "-" || scalar == "_" || scalar == "."
        }
        return !name.isEmpty && name.count <= 64 && allowed
    }

    public static func apiKey(_ key: String) -> Credential {
        Credential(type: .api, apiKey: key)
    }

    public static func oauth(access: String, refresh: String, expiresAt: Int64) -> Credential {
        Credential(type: .oauth, accessToken: access, refreshToken: refresh, expiresAt: expiresAt)
    }

    public init(type: CredentialType, accessToken: String? = nil, refreshToken: String? = nil,
                expiresAt: Int64? = nil, apiKey: String? = nil) {
        self.type = type
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.apiKey = apiKey
    }

    /// The value a program sends to the provider: the API key, or the OAuth
    /// access token.
    public var secret: String? {
        switch type {
        case .api: return apiKey
        case .oauth: return accessToken
        }
    }

    /// Validity at `now` (Unix seconds). API keys and tokens without an
    /// expiry are always valid.
    public func validity(now: Int64) -> CredentialValidity {
        guard type == .oauth, let expiresAt, expiresAt > 0 else { return .valid }
        if now >= expiresAt { return .expired }
        if now >= expiresAt - Self.refreshMargin { return .needsRefresh }
        return .valid
    }
}

/// A credential's JSON was not of the expected shape.
public struct CredentialFormatError: Error, Equatable, CustomStringConvertible {
    public var detail: String
    public var description: String { detail }
}

extension Credential {
    /// Reads a credential from its JSON object.
    public init(json: JSONValue) throws {
        guard case .object(var fields) = json else {
            throw CredentialFormatError(detail: "the credential is a JSON \(json.typeName), expected an object")
        }
        guard let typeName = fields.removeValue(forKey: "type") else {
            throw CredentialFormatError(detail: "the credential has no \"type\" field")
        }
        guard let typeString = typeName.stringValue, let type = CredentialType(rawValue: typeString) else {
            throw CredentialFormatError(detail: "the credential type is not \"oauth\" or \"api\"")
        }
        self.init(type: type)
        accessToken = try Self.takeString("access", from: &fields)
        refreshToken = try Self.takeString("refresh", from: &fields)
        apiKey = try Self.takeString("key", from: &fields)
        switch fields.removeValue(forKey: "expires") {
        case nil, .null?: expiresAt = nil
        case .integer(let seconds)?: expiresAt = seconds
        case .double(let seconds)? where seconds.rounded() == seconds && abs(seconds) < 9e18: expiresAt = Int64(seconds)
        case let other?: throw CredentialFormatError(detail: "\"expires\" is a JSON \(other.typeName), expected whole seconds")
        }
        otherFields = fields

        switch type {
        case .api where (apiKey ?? "").isEmpty:
            throw CredentialFormatError(detail: "the API key credential has no \"key\"")
        case .oauth where (accessToken ?? "").isEmpty:
            throw CredentialFormatError(detail: "the OAuth credential has no \"access\" token")
        default:
            break
        }
    }

    private static func takeString(_ name: String, from fields: inout [String: JSONValue]) throws -> String? {
        switch fields.removeValue(forKey: name) {
        case nil, .null?: return nil
        case .string(let value)?: return value
        case let other?: throw CredentialFormatError(detail: "\"\(name)\" is a JSON \(other.typeName), expected a string")
        }
    }

    /// The credential as a JSON object, omitting empty fields as the Go
    /// claude-gate did.
    public var json: JSONValue {
        var fields = otherFields
        fields["type"] = .string(type.rawValue)
        if let accessToken, !accessToken.isEmpty { fields["access"] = .string(accessToken) }
        if let refreshToken, !refreshToken.isEmpty { fields["refresh"] = .string(refreshToken) }
        if let expiresAt, expiresAt != 0 { fields["expires"] = .integer(expiresAt) }
        if let apiKey, !apiKey.isEmpty { fields["key"] = .string(apiKey) }
        return .object(fields)
    }
}
