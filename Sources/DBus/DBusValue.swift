/// A value in the D-Bus type system, as sent in or read from a message body.
///
/// Containers carry the signatures of their elements so that an empty array
/// or dictionary still marshals with the right type.
public indirect enum DBusValue: Equatable, Sendable {
    case byte(UInt8)
    case boolean(Bool)
    case int16(Int16)
    case uint16(UInt16)
    case int32(Int32)
    case uint32(UInt32)
    case int64(Int64)
    case uint64(UInt64)
    case double(Double)
    case string(String)
    case objectPath(String)
    case signature(String)
    /// An array of bytes (`ay`), kept apart from `array` because secrets,
    /// keys and IVs travel this way and are marshalled in one call.
    case bytes([UInt8])
    case array(elementSignature: String, [DBusValue])
    case dictionary(keySignature: String, valueSignature: String, [DBusDictionaryEntry])
    case structure([DBusValue])
    case variant(DBusValue)

    /// The D-Bus type signature of this value, for example `a{ss}`.
    public var signature: String {
        switch self {
        case .byte: return "y"
        case .boolean: return "b"
        case .int16: return "n"
        case .uint16: return "q"
        case .int32: return "i"
        case .uint32: return "u"
        case .int64: return "x"
        case .uint64: return "t"
        case .double: return "d"
        case .string: return "s"
        case .objectPath: return "o"
        case .signature: return "g"
        case .bytes: return "ay"
        case .array(let elementSignature, _): return "a" + elementSignature
        case .dictionary(let keySignature, let valueSignature, _): return "a{\(keySignature)\(valueSignature)}"
        case .structure(let fields): return "(" + fields.map(\.signature).joined() + ")"
        case .variant: return "v"
        }
    }
}

/// One key-value pair of a D-Bus dictionary (`a{kv}`).
public struct DBusDictionaryEntry: Equatable, Sendable {
    public var key: DBusValue
    public var value: DBusValue

    public init(key: DBusValue, value: DBusValue) {
        self.key = key
        self.value = value
    }
}

extension DBusValue {
    /// Builds an `a{ss}` dictionary, the type of Secret Service attributes.
    public static func stringDictionary(_ pairs: [String: String]) -> DBusValue {
        let entries = pairs.sorted { $0.key < $1.key }.map {
            DBusDictionaryEntry(key: .string($0.key), value: .string($0.value))
        }
        return .dictionary(keySignature: "s", valueSignature: "s", entries)
    }

    /// Builds an `a{sv}` dictionary, the type of D-Bus property maps.
    public static func variantDictionary(_ pairs: [(String, DBusValue)]) -> DBusValue {
        let entries = pairs.map { DBusDictionaryEntry(key: .string($0.0), value: .variant($0.1)) }
        return .dictionary(keySignature: "s", valueSignature: "v", entries)
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var objectPathValue: String? {
        if case .objectPath(let value) = self { return value }
        return nil
    }

    public var booleanValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    public var bytesValue: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }

    /// The value inside a variant; other values are returned unchanged.
    public var unwrappingVariant: DBusValue {
        if case .variant(let inner) = self { return inner }
        return self
    }

    /// The elements of an `ao` array, or nil for any other type.
    public var objectPathArrayValue: [String]? {
        guard case .array("o", let elements) = self else { return nil }
        return elements.compactMap(\.objectPathValue)
    }

    /// The entries of an `a{ss}` dictionary, or nil for any other type.
    public var stringDictionaryValue: [String: String]? {
        guard case .dictionary("s", "s", let entries) = self else { return nil }
        var result: [String: String] = [:]
        for entry in entries {
            guard let key = entry.key.stringValue, let value = entry.value.stringValue else { return nil }
            result[key] = value
        }
        return result
    }
}
