import CDBus

/// The kind of a D-Bus message, from its header.
public enum DBusMessageType: String, Sendable {
    case methodCall = "method_call"
    case methodReturn = "method_return"
    case error
    case signal
    case unknown

    init(rawType: Int32) {
        switch rawType {
        case Int32(CDBUS_MESSAGE_TYPE_METHOD_CALL): self = .methodCall
        case Int32(CDBUS_MESSAGE_TYPE_METHOD_RETURN): self = .methodReturn
        case Int32(CDBUS_MESSAGE_TYPE_ERROR): self = .error
        case Int32(CDBUS_MESSAGE_TYPE_SIGNAL): self = .signal
        default: self = .unknown
        }
    }
}

/// An owned reference to a libdbus `DBusMessage`.
public final class DBusMessage {
    let pointer: OpaquePointer

    /// Takes over one reference to `pointer`; it is released on deinit.
    init(taking pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        dbus_message_unref(pointer)
    }

    /// Creates a method call message with `arguments` as its body.
    ///
    /// Wraps `dbus_message_new_method_call` and `dbus_message_iter_append_basic`.
    public static func methodCall(
        destination: String, path: String, interface: String, member: String, arguments: [DBusValue]
    ) throws -> DBusMessage {
        try validateObjectPath(path)
        guard let raw = dbus_message_new_method_call(destination, path, interface, member) else {
            throw DBusError.outOfMemory
        }
        let message = DBusMessage(taking: raw)
        try message.append(arguments)
        return message
    }

    /// Parses a message from its wire form; used by tests and fuzzing of the
    /// decoder. Wraps `dbus_message_demarshal`.
    public static func demarshal(_ bytes: [UInt8]) throws -> DBusMessage {
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        defer { dbus_error_free(&error) }
        let raw = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.flatMap { base in
                dbus_message_demarshal(UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(buffer.count), &error)
            }
        }
        guard let raw else {
            throw DBusError.marshalling(errorMessage(error) ?? "message could not be parsed")
        }
        return DBusMessage(taking: raw)
    }

    /// Returns the message in wire format. A message that was never sent has
    /// no serial, which the wire format requires, so it is given serial 1.
    ///
    /// Wraps `dbus_message_marshal`.
    public func marshalled() throws -> [UInt8] {
        if serial == 0 {
            dbus_message_set_serial(pointer, 1)
        }
        var buffer: UnsafeMutablePointer<CChar>? = nil
        var length: Int32 = 0
        guard dbus_message_marshal(pointer, &buffer, &length) != 0, let buffer else {
            throw DBusError.outOfMemory
        }
        defer { dbus_free(buffer) }
        return buffer.withMemoryRebound(to: UInt8.self, capacity: Int(length)) {
            Array(UnsafeBufferPointer(start: $0, count: Int(length)))
        }
    }

    /// Returns a message with the same header fields and `arguments` as its
    /// body, for writing a redacted copy of a message to a capture.
    ///
    /// Wraps `dbus_message_new` and the `dbus_message_set_*` header setters.
    public func replacingArguments(_ arguments: [DBusValue]) throws -> DBusMessage {
        guard let raw = dbus_message_new(dbus_message_get_type(pointer)) else { throw DBusError.outOfMemory }
        let copy = DBusMessage(taking: raw)
        if let path { dbus_message_set_path(raw, path) }
        if let interface { dbus_message_set_interface(raw, interface) }
        if let member { dbus_message_set_member(raw, member) }
        if let errorName { dbus_message_set_error_name(raw, errorName) }
        if let destination { dbus_message_set_destination(raw, destination) }
        if let sender { dbus_message_set_sender(raw, sender) }
        if serial != 0 { dbus_message_set_serial(raw, serial) }
        if replySerial != 0 { dbus_message_set_reply_serial(raw, replySerial) }
        dbus_message_set_no_reply(raw, dbus_message_get_no_reply(pointer))
        try copy.append(arguments)
        return copy
    }

    // MARK: Header

    public var type: DBusMessageType { DBusMessageType(rawType: dbus_message_get_type(pointer)) }
    public var serial: UInt32 { dbus_message_get_serial(pointer) }
    public var replySerial: UInt32 { dbus_message_get_reply_serial(pointer) }
    public var destination: String? { dbus_message_get_destination(pointer).map { String(cString: $0) } }
    public var sender: String? { dbus_message_get_sender(pointer).map { String(cString: $0) } }
    public var path: String? { dbus_message_get_path(pointer).map { String(cString: $0) } }
    public var interface: String? { dbus_message_get_interface(pointer).map { String(cString: $0) } }
    public var member: String? { dbus_message_get_member(pointer).map { String(cString: $0) } }
    public var errorName: String? { dbus_message_get_error_name(pointer).map { String(cString: $0) } }
    public var signature: String { dbus_message_get_signature(pointer).map { String(cString: $0) } ?? "" }

    // MARK: Body

    /// Appends `values` to the end of the body.
    func append(_ values: [DBusValue]) throws {
        var iterator = DBusMessageIter()
        dbus_message_iter_init_append(pointer, &iterator)
        for value in values {
            try appendValue(value, to: &iterator)
        }
    }

    /// Decodes the whole body into values.
    public func arguments() throws -> [DBusValue] {
        var iterator = DBusMessageIter()
        guard dbus_message_iter_init(pointer, &iterator) != 0 else { return [] }
        var values: [DBusValue] = []
        while dbus_message_iter_get_arg_type(&iterator) != CDBUS_TYPE_INVALID {
            values.append(try readValue(from: &iterator))
            dbus_message_iter_next(&iterator)
        }
        return values
    }
}

// MARK: - Marshalling

func validateObjectPath(_ path: String) throws {
    var error = CDBus.DBusError()
    dbus_error_init(&error)
    defer { dbus_error_free(&error) }
    guard dbus_validate_path(path, &error) != 0 else {
        throw DBusError.marshalling("'\(path)' is not a valid object path")
    }
}

func errorMessage(_ error: CDBus.DBusError) -> String? {
    error.message.map { String(cString: $0) }
}

private func appendBasic<T: BitwiseCopyable>(_ value: T, type: Int32, to iterator: inout DBusMessageIter) throws {
    var copy = value
    guard dbus_message_iter_append_basic(&iterator, type, &copy) != 0 else { throw DBusError.outOfMemory }
}

private func appendString(_ string: String, type: Int32, to iterator: inout DBusMessageIter) throws {
    // libdbus rejects embedded NUL characters with a warning on stderr, so
    // they are caught here with a clear error instead.
    guard !string.utf8.contains(0) else {
        throw DBusError.marshalling("string contains a NUL character")
    }
    try string.withCString { cString in
        var pointer: UnsafePointer<CChar>? = cString
        guard dbus_message_iter_append_basic(&iterator, type, &pointer) != 0 else { throw DBusError.outOfMemory }
    }
}

private func withContainer(
    _ type: Int32, signature: String?, in iterator: inout DBusMessageIter,
    _ body: (inout DBusMessageIter) throws -> Void
) throws {
    var child = DBusMessageIter()
    let opened: dbus_bool_t
    if let signature {
        opened = dbus_message_iter_open_container(&iterator, type, signature, &child)
    } else {
        opened = dbus_message_iter_open_container(&iterator, type, nil, &child)
    }
    guard opened != 0 else { throw DBusError.outOfMemory }
    do {
        try body(&child)
    } catch {
        dbus_message_iter_abandon_container(&iterator, &child)
        throw error
    }
    guard dbus_message_iter_close_container(&iterator, &child) != 0 else { throw DBusError.outOfMemory }
}

private func appendValue(_ value: DBusValue, to iterator: inout DBusMessageIter) throws {
    switch value {
    case .byte(let byte): try appendBasic(byte, type: Int32(CDBUS_TYPE_BYTE), to: &iterator)
    case .boolean(let flag): try appendBasic(dbus_bool_t(flag ? 1 : 0), type: Int32(CDBUS_TYPE_BOOLEAN), to: &iterator)
    case .int16(let number): try appendBasic(number, type: Int32(CDBUS_TYPE_INT16), to: &iterator)
    case .uint16(let number): try appendBasic(number, type: Int32(CDBUS_TYPE_UINT16), to: &iterator)
    case .int32(let number): try appendBasic(number, type: Int32(CDBUS_TYPE_INT32), to: &iterator)
    case .uint32(let number): try appendBasic(number, type: Int32(CDBUS_TYPE_UINT32), to: &iterator)
    case .int64(let number): try appendBasic(number, type: Int32(CDBUS_TYPE_INT64), to: &iterator)
    case .uint64(let number): try appendBasic(number, type: Int32(CDBUS_TYPE_UINT64), to: &iterator)
    case .double(let number): try appendBasic(number, type: Int32(CDBUS_TYPE_DOUBLE), to: &iterator)
    case .string(let string): try appendString(string, type: Int32(CDBUS_TYPE_STRING), to: &iterator)
    case .objectPath(let path):
        try validateObjectPath(path)
        try appendString(path, type: Int32(CDBUS_TYPE_OBJECT_PATH), to: &iterator)
    case .signature(let signature):
        guard dbus_signature_validate(signature, nil) != 0 else {
            throw DBusError.marshalling("'\(signature)' is not a valid type signature")
        }
        try appendString(signature, type: Int32(CDBUS_TYPE_SIGNATURE), to: &iterator)
    case .bytes(let bytes):
        try withContainer(Int32(CDBUS_TYPE_ARRAY), signature: "y", in: &iterator) { child in
            try bytes.withUnsafeBufferPointer { buffer in
                // append_fixed_array takes the address of a pointer to the
                // elements; an empty array still needs a non-NULL pointer.
                var elements: UnsafePointer<UInt8>? = buffer.baseAddress ?? UnsafePointer(bitPattern: 1)
                guard dbus_message_iter_append_fixed_array(&child, Int32(CDBUS_TYPE_BYTE), &elements, Int32(buffer.count)) != 0 else {
                    throw DBusError.outOfMemory
                }
            }
        }
    case .array(let elementSignature, let elements):
        try withContainer(Int32(CDBUS_TYPE_ARRAY), signature: elementSignature, in: &iterator) { child in
            for element in elements {
                guard element.signature == elementSignature else {
                    throw DBusError.marshalling("an array of '\(elementSignature)' cannot contain a value of type '\(element.signature)'")
                }
                try appendValue(element, to: &child)
            }
        }
    case .dictionary(let keySignature, let valueSignature, let entries):
        try withContainer(Int32(CDBUS_TYPE_ARRAY), signature: "{\(keySignature)\(valueSignature)}", in: &iterator) { child in
            for entry in entries {
                try withContainer(Int32(CDBUS_TYPE_DICT_ENTRY), signature: nil, in: &child) { entryIterator in
                    try appendValue(entry.key, to: &entryIterator)
                    try appendValue(entry.value, to: &entryIterator)
                }
            }
        }
    case .structure(let fields):
        try withContainer(Int32(CDBUS_TYPE_STRUCT), signature: nil, in: &iterator) { child in
            for field in fields {
                try appendValue(field, to: &child)
            }
        }
    case .variant(let inner):
        try withContainer(Int32(CDBUS_TYPE_VARIANT), signature: inner.signature, in: &iterator) { child in
            try appendValue(inner, to: &child)
        }
    }
}

// MARK: - Demarshalling

private func readBasic<T: BitwiseCopyable>(_ iterator: inout DBusMessageIter, as initial: T) -> T {
    var value = initial
    dbus_message_iter_get_basic(&iterator, &value)
    return value
}

private func readString(_ iterator: inout DBusMessageIter) -> String {
    var pointer: UnsafePointer<CChar>? = nil
    dbus_message_iter_get_basic(&iterator, &pointer)
    return pointer.map { String(cString: $0) } ?? ""
}

/// Returns the signature of the value under the iterator, for example `a{sv}`.
private func currentSignature(_ iterator: inout DBusMessageIter) -> String {
    guard let raw = dbus_message_iter_get_signature(&iterator) else { return "" }
    defer { dbus_free(raw) }
    return String(cString: raw)
}

private func readValue(from iterator: inout DBusMessageIter) throws -> DBusValue {
    let type = dbus_message_iter_get_arg_type(&iterator)
    switch type {
    case Int32(CDBUS_TYPE_BYTE): return .byte(readBasic(&iterator, as: UInt8(0)))
    case Int32(CDBUS_TYPE_BOOLEAN): return .boolean(readBasic(&iterator, as: dbus_bool_t(0)) != 0)
    case Int32(CDBUS_TYPE_INT16): return .int16(readBasic(&iterator, as: Int16(0)))
    case Int32(CDBUS_TYPE_UINT16): return .uint16(readBasic(&iterator, as: UInt16(0)))
    case Int32(CDBUS_TYPE_INT32): return .int32(readBasic(&iterator, as: Int32(0)))
    case Int32(CDBUS_TYPE_UINT32): return .uint32(readBasic(&iterator, as: UInt32(0)))
    case Int32(CDBUS_TYPE_INT64): return .int64(readBasic(&iterator, as: Int64(0)))
    case Int32(CDBUS_TYPE_UINT64): return .uint64(readBasic(&iterator, as: UInt64(0)))
    case Int32(CDBUS_TYPE_DOUBLE): return .double(readBasic(&iterator, as: Double(0)))
    case Int32(CDBUS_TYPE_STRING): return .string(readString(&iterator))
    case Int32(CDBUS_TYPE_OBJECT_PATH): return .objectPath(readString(&iterator))
    case Int32(CDBUS_TYPE_SIGNATURE): return .signature(readString(&iterator))
    case Int32(CDBUS_TYPE_ARRAY): return try readArray(from: &iterator)
    case Int32(CDBUS_TYPE_STRUCT):
        var child = DBusMessageIter()
        dbus_message_iter_recurse(&iterator, &child)
        var fields: [DBusValue] = []
        while dbus_message_iter_get_arg_type(&child) != CDBUS_TYPE_INVALID {
            fields.append(try readValue(from: &child))
            dbus_message_iter_next(&child)
        }
        return .structure(fields)
    case Int32(CDBUS_TYPE_VARIANT):
        var child = DBusMessageIter()
        dbus_message_iter_recurse(&iterator, &child)
        return .variant(try readValue(from: &child))
    default:
        // Unix file descriptors and unknown types are never part of the
        // Secret Service API, so they are rejected rather than half-read.
        throw DBusError.marshalling("unsupported D-Bus type code \(type)")
    }
}

private func readArray(from iterator: inout DBusMessageIter) throws -> DBusValue {
    let arraySignature = currentSignature(&iterator)
    let elementSignature = String(arraySignature.dropFirst())
    let elementType = dbus_message_iter_get_element_type(&iterator)
    var child = DBusMessageIter()
    dbus_message_iter_recurse(&iterator, &child)

    if elementType == CDBUS_TYPE_BYTE {
        var elements: UnsafePointer<UInt8>? = nil
        var count: Int32 = 0
        dbus_message_iter_get_fixed_array(&child, &elements, &count)
        guard let elements, count > 0 else { return .bytes([]) }
        return .bytes(Array(UnsafeBufferPointer(start: elements, count: Int(count))))
    }

    if elementType == CDBUS_TYPE_DICT_ENTRY {
        // elementSignature is "{kv}": the key is one basic type code.
        let inner = elementSignature.dropFirst().dropLast()
        let keySignature = String(inner.prefix(1))
        let valueSignature = String(inner.dropFirst())
        var entries: [DBusDictionaryEntry] = []
        while dbus_message_iter_get_arg_type(&child) != CDBUS_TYPE_INVALID {
            var entryIterator = DBusMessageIter()
            dbus_message_iter_recurse(&child, &entryIterator)
            let key = try readValue(from: &entryIterator)
            dbus_message_iter_next(&entryIterator)
            let value = try readValue(from: &entryIterator)
            entries.append(DBusDictionaryEntry(key: key, value: value))
            dbus_message_iter_next(&child)
        }
        return .dictionary(keySignature: keySignature, valueSignature: valueSignature, entries)
    }

    var elements: [DBusValue] = []
    while dbus_message_iter_get_arg_type(&child) != CDBUS_TYPE_INVALID {
        elements.append(try readValue(from: &child))
        dbus_message_iter_next(&child)
    }
    return .array(elementSignature: elementSignature, elements)
}
