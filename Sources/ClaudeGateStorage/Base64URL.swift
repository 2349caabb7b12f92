/// Base64url without padding (RFC 4648 section 5), as JOSE uses it
/// (RFC 7515 section 2).
enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The value of each alphabet byte, or 0xff for bytes outside it.
    private static let decodingTable: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(alphabet[Int(group >> 6 & 63)])
            output.append(alphabet[Int(group & 63)])
            index += 3
        }
        switch bytes.count - index {
        case 1:
            let group = UInt32(bytes[index]) << 16
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
        case 2:
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8
            output.append(alphabet[Int(group >> 18 & 63)])
            output.append(alphabet[Int(group >> 12 & 63)])
            output.append(alphabet[Int(group >> 6 & 63)])
        default:
            break
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes unpadded Base64url. Returns nil for padding, any byte outside
    /// the alphabet, a length that no encoding has, or unused low bits that
    /// are not zero. The last rule keeps one encoding per value, so an
    /// altered segment cannot decode to the same bytes.
    static func decode<Input: Collection>(_ text: Input) -> [UInt8]? where Input.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var group: UInt32 = 0
        var count = 0
        for character in text {
            let value = decodingTable[Int(character)]
            guard value != 0xff else { return nil }
            group = group << 6 | UInt32(value)
            count += 1
            if count == 4 {
                output.append(UInt8(group >> 16 & 0xff))
                output.append(UInt8(group >> 8 & 0xff))
                output.append(UInt8(group & 0xff))
                group = 0
                count = 0
            }
        }
        switch count {
        case 0:
            break
        case 2:
            guard group & 0xf == 0 else { return nil }
            output.append(UInt8(group >> 4 & 0xff))
        case 3:
            guard group & 0x3 == 0 else { return nil }
            output.append(UInt8(group >> 10 & 0xff))
            output.append(UInt8(group >> 2 & 0xff))
        default:
            return nil
        }
        return output
    }

    static func decode(_ text: String) -> [UInt8]? {
        decode(Array(text.utf8))
    }
}
