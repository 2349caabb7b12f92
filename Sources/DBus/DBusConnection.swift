import CDBus

#if canImport(Glibc)
import Glibc
#endif

/// A private connection to a message bus, used from one thread.
///
/// Every method call has a timeout, every message sent or received can be
/// written to a ``MessageDump``, and error replies become ``DBusError``
/// values that keep the D-Bus error name and message.
public final class DBusConnection {
    private let pointer: OpaquePointer

    /// The address this connection was opened with.
    public let address: String

    /// The unique name the bus assigned in its reply to `Hello`.
    public private(set) var uniqueName: String = ""

    /// The time a method call may take before it fails with
    /// ``DBusError/timedOut(member:seconds:)``.
    public var methodTimeout: Double

    /// Where sent and received messages are written, if anywhere.
    public var dump: MessageDump?

    /// Polled while waiting for a signal; returning true ends the wait early
    /// (as a timeout does) so that the caller can clean up, for example after
    /// SIGINT.
    public var shouldStopWaiting: () -> Bool = { false }

    /// Returns the session bus address from `DBUS_SESSION_BUS_ADDRESS`, else
    /// `unix:path=$XDG_RUNTIME_DIR/bus`.
    ///
    /// libdbus would otherwise try X11 autolaunch when the variable is unset,
    /// which starts a bus of its own or prints to stderr, so the address is
    /// always resolved here.
    public static func sessionBusAddress(environment: [String: String]) throws -> String {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"], !address.isEmpty {
            return address
        }
        if let runtimeDirectory = environment["XDG_RUNTIME_DIR"], !runtimeDirectory.isEmpty {
            return "unix:path=\(runtimeDirectory)/bus"
        }
        throw DBusError.noSessionBusAddress
    }

    /// Opens a private connection to the bus at `address` and registers with
    /// it by sending `Hello`.
    ///
    /// Wraps `dbus_connection_open_private`.
    public init(address: String, methodTimeout: Double, dump: MessageDump? = nil) throws {
        var error = CDBus.DBusError()
        dbus_error_init(&error)
        defer { dbus_error_free(&error) }

        guard let raw = dbus_connection_open_private(address, &error) else {
            throw DBusError.connectionFailed(
                address: address,
                name: error.name.map { String(cString: $0) } ?? "org.freedesktop.DBus.Error.Failed",
                message: errorMessage(error) ?? "unknown error")
        }
        self.pointer = raw
        self.address = address
        self.methodTimeout = methodTimeout
        self.dump = dump

        // A closed connection must become an error in the caller, not a call
        // to exit(3) inside libdbus.
        dbus_connection_set_exit_on_disconnect(raw, 0)

        do {
            try register()
        } catch DBusError.remote(let name, let message, _) {
            close()
            throw DBusError.connectionFailed(address: address, name: name, message: message)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
        dbus_connection_unref(pointer)
    }

    private var isClosed = false

    private func close() {
        guard !isClosed else { return }
        isClosed = true
        dbus_connection_close(pointer)
    }

    /// Sends `Hello` through ``call`` (so that it is dumped and bounded by the
    /// method timeout) and records the unique name.
    private func register() throws {
        let reply = try call(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
            interface: "org.freedesktop.DBus", member: "Hello", arguments: [], replySignature: "s")
        uniqueName = reply[0].stringValue ?? ""
        _ = dbus_bus_set_unique_name(pointer, uniqueName)
    }

    /// Calls a method and returns the reply's body after checking that its
    /// signature is `replySignature`.
    ///
    /// Wraps `dbus_connection_send_with_reply` and `dbus_pending_call_block`.
    @discardableResult
    public func call(
        destination: String, path: String, interface: String, member: String,
        arguments: [DBusValue], replySignature: String, timeout: Double? = nil
    ) throws -> [DBusValue] {
        let qualifiedMember = "\(interface).\(member)"
        let message = try DBusMessage.methodCall(
            destination: destination, path: path, interface: interface, member: member, arguments: arguments)
        let seconds = timeout ?? methodTimeout
        let reply = try sendAndWait(message, member: qualifiedMember, seconds: seconds)

        if reply.type == .error {
            let name = reply.errorName ?? "org.freedesktop.DBus.Error.Failed"
            let text = (try? reply.arguments().first?.stringValue) ?? nil
            if name == "org.freedesktop.DBus.Error.NoReply" && isLocalTimeout(reply) {
                throw DBusError.timedOut(member: qualifiedMember, seconds: seconds)
            }
            if name == "org.freedesktop.DBus.Error.Disconnected" || dbus_connection_get_is_connected(pointer) == 0 {
                throw DBusError.disconnected(member: qualifiedMember)
            }
            throw DBusError.remote(name: name, message: text ?? "", member: qualifiedMember)
        }
        guard reply.signature == replySignature else {
            throw DBusError.unexpectedSignature(member: qualifiedMember, expected: replySignature, actual: reply.signature)
        }
        return try reply.arguments()
    }

    /// Sends a method call without waiting for its reply, for calls whose
    /// outcome does not matter, such as `CloseSession` before exit.
    ///
    /// Wraps `dbus_message_set_no_reply` and `dbus_connection_send`.
    public func callWithoutReply(
        destination: String, path: String, interface: String, member: String, arguments: [DBusValue]
    ) throws {
        let message = try DBusMessage.methodCall(
            destination: destination, path: path, interface: interface, member: member, arguments: arguments)
        dbus_message_set_no_reply(message.pointer, 1)
        guard dbus_connection_send(pointer, message.pointer, nil) != 0 else { throw DBusError.outOfMemory }
        dump?.write(message, direction: .sent)
        dbus_connection_flush(pointer)
    }

    private func sendAndWait(_ message: DBusMessage, member: String, seconds: Double) throws -> DBusMessage {
        var pending: OpaquePointer? = nil
        let milliseconds = Int32(clamping: Int64((seconds * 1000).rounded(.up)))
        guard dbus_connection_send_with_reply(pointer, message.pointer, &pending, milliseconds) != 0 else {
            throw DBusError.outOfMemory
        }
        dump?.write(message, direction: .sent)

        // libdbus gives no pending call when the connection is already closed.
        guard let pending else { throw DBusError.disconnected(member: member) }
        defer { dbus_pending_call_unref(pending) }

        dbus_pending_call_block(pending)
        guard let rawReply = dbus_pending_call_steal_reply(pending) else {
            throw DBusError.disconnected(member: member)
        }
        let reply = DBusMessage(taking: rawReply)
        dump?.write(reply, direction: .received)
        return reply
    }

    /// libdbus reports its own timeout as a NoReply error with no sender;
    /// a NoReply relayed by the bus names the bus as sender.
    private func isLocalTimeout(_ reply: DBusMessage) -> Bool {
        reply.sender == nil
    }

    /// Adds a match rule on the bus so that matching signals are delivered.
    public func addMatch(_ rule: String) throws {
        try call(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
            interface: "org.freedesktop.DBus", member: "AddMatch", arguments: [.string(rule)], replySignature: "")
    }

    /// Removes a match rule added by ``addMatch(_:)``; failures are ignored
    /// because the rule goes away with the connection anyway.
    public func removeMatch(_ rule: String) {
        _ = try? callWithoutReply(
            destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
            interface: "org.freedesktop.DBus", member: "RemoveMatch", arguments: [.string(rule)])
    }

    /// Waits up to `seconds` for a signal that satisfies `matches` and
    /// returns it, or nil when the time runs out or ``shouldStopWaiting``
    /// returns true. Other incoming messages are dumped and dropped.
    ///
    /// Wraps `dbus_connection_read_write` and `dbus_connection_pop_message`.
    public func waitForSignal(seconds: Double, matching matches: (DBusMessage) -> Bool) throws -> DBusMessage? {
        let deadline = monotonicSeconds() + seconds
        while true {
            while let raw = dbus_connection_pop_message(pointer) {
                let message = DBusMessage(taking: raw)
                dump?.write(message, direction: .received)
                if message.type == .signal && message.interface == "org.freedesktop.DBus.Local"
                    && message.member == "Disconnected" {
                    throw DBusError.disconnected(member: "waiting for a signal")
                }
                if message.type == .signal && matches(message) {
                    return message
                }
            }

            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 || shouldStopWaiting() {
                return nil
            }

            // Wake at least every 100 ms so that shouldStopWaiting is polled.
            let slice = Int32(min(remaining, 0.1) * 1000) + 1
            guard dbus_connection_read_write(pointer, slice) != 0 else {
                throw DBusError.disconnected(member: "waiting for a signal")
            }
        }
    }
}

/// Seconds on a clock that never jumps, for deadlines.
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
}
