#if canImport(Glibc)
import Glibc
#endif

/// Writes D-Bus messages to a pcap capture file with link type DBUS (231),
/// which Wireshark and tshark dissect.
///
/// Each record is one message in wire format, as libdbus marshals it.
public final class PcapWriter {
    /// The link-layer header type registered for raw D-Bus messages.
    public static let linkTypeDBus: UInt32 = 231

    /// The capture's snapshot length: the D-Bus limit on the size of one
    /// message (128 MiB), so no record is ever cut short.
    static let snapshotLength: UInt32 = 134_217_728

    public let path: String
    private let descriptor: Int32

    /// Creates (or truncates) the capture file with mode 0600 and writes the
    /// pcap file header. A symlink at `path` is not followed.
    public init(path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw PcapWriterError(path: path, errno: errno)
        }
        self.path = path
        self.descriptor = descriptor

        var header: [UInt8] = []
        header.appendLittleEndian(UInt32(0xa1b2_c3d4))  // magic: microsecond timestamps
        header.appendLittleEndian(UInt16(2))  // version 2.4
        header.appendLittleEndian(UInt16(4))
        header.appendLittleEndian(Int32(0))  // time zone offset
        header.appendLittleEndian(UInt32(0))  // timestamp accuracy
        header.appendLittleEndian(Self.snapshotLength)
        header.appendLittleEndian(Self.linkTypeDBus)
        try writeAll(header)
    }

    deinit {
        close(descriptor)
    }

    /// Appends one record holding `bytes`, stamped with the current time.
    public func writeRecord(_ bytes: [UInt8]) throws {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var record: [UInt8] = []
        record.appendLittleEndian(UInt32(truncatingIfNeeded: now.tv_sec))
        record.appendLittleEndian(UInt32(now.tv_nsec / 1000))
        record.appendLittleEndian(UInt32(bytes.count))
        record.appendLittleEndian(UInt32(bytes.count))
        try writeAll(record + bytes)
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw PcapWriterError(path: path, errno: errno)
            }
            offset += written
        }
    }
}

/// Creating or writing a capture file failed.
public struct PcapWriterError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var errno: Int32

    public var description: String {
        "cannot write the D-Bus capture \(path): \(String(cString: strerror(errno)))"
    }
}

extension Array where Element == UInt8 {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
