import CDBus
import CDBusLoader

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

    /// The dump that sent and received messages are written to, if any.
    public var dump: MessageDump?

    /// Polled at least every 100 ms while waiting for a reply or a signal;
    /// returning true ends the wait with ``DBusError/interrupted(member:)``,
    /// for example after SIGINT.
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
        // libdbus is opened on first use. Opening it here turns a missing
        // library into an error that the storage facade can fall back on.
        var loadMessage = [CChar](repeating: 0, count: 512)
        guard cdbus_library_open(&loadMessage, loadMessage.count) == 1 else {
            throw DBusError.libraryUnavailable(message: String(cString: loadMessage))
        }

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
    /// Wraps `dbus_connection_send` and waits for the reply itself, so that
    /// the wait can end early when ``shouldStopWaiting`` returns true.
    @discardableResult
    public func call(
        destination: String, path: String, interface: String, member: String,
        arguments: [DBusValue], replySignature: String, timeout: Double? = nil
    ) throws -> [DBusValue] {
        let pending = try send(destination: destination, path: path, interface: interface, member: member,
                               arguments: arguments)
        return try reply(to: pending, replySignature: replySignature, timeout: timeout)
    }

    /// A method call that was sent and whose reply has not been read yet.
    public struct PendingCall {
        public let serial: UInt32
        /// `interface.member`, for error messages.
        public let member: String
    }

    /// Sends a method call and returns at once. ``reply(to:replySignature:timeout:)``
    /// collects the reply later, so that a caller can send several calls
    /// before waiting for the first reply.
    ///
    /// Wraps `dbus_connection_send`.
    public func send(
        destination: String, path: String, interface: String, member: String, arguments: [DBusValue]
    ) throws -> PendingCall {
        let message = try DBusMessage.methodCall(
            destination: destination, path: path, interface: interface, member: member, arguments: arguments)
        var serial: UInt32 = 0
        guard dbus_connection_send(pointer, message.pointer, &serial) != 0 else {
            throw DBusError.outOfMemory
        }
        dump?.write(message, direction: .sent)
        dbus_connection_flush(pointer)
        return PendingCall(serial: serial, member: "\(interface).\(member)")
    }

    /// Waits for the reply to `pending` and returns its body after checking
    /// that its signature is `replySignature`. The method timeout counts from
    /// this call, not from the send.
    public func reply(to pending: PendingCall, replySignature: String, timeout: Double? = nil) throws -> [DBusValue] {
        let reply = try waitForReply(to: pending, seconds: timeout ?? methodTimeout)

        if reply.type == .error {
            let name = reply.errorName ?? "org.freedesktop.DBus.Error.Failed"
            let text = (try? reply.arguments().first?.stringValue) ?? nil
            throw DBusError.remote(name: name, message: text ?? "", member: pending.member)
        }
        guard reply.signature == replySignature else {
            throw DBusError.unexpectedSignature(member: pending.member, expected: replySignature, actual: reply.signature)
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

    /// Messages that arrived while a reply was awaited: a prompt's
    /// `Completed` signal that a service sends before its reply to `Prompt`,
    /// or the reply to another call that was sent earlier.
    /// ``waitForSignal(seconds:matching:)`` and ``reply(to:replySignature:timeout:)``
    /// look at them first.
    private var queuedMessages: [DBusMessage] = []

    private func waitForReply(to pending: PendingCall, seconds: Double) throws -> DBusMessage {
        func isReply(_ message: DBusMessage) -> Bool {
            (message.type == .methodReturn || message.type == .error) && message.replySerial == pending.serial
        }
        if let index = queuedMessages.firstIndex(where: isReply) {
            return queuedMessages.remove(at: index)
        }

        let deadline = monotonicSeconds() + seconds
        while true {
            guard let incoming = try receive(until: deadline, member: pending.member) else {
                throw DBusError.timedOut(member: pending.member, seconds: seconds)
            }
            if isReply(incoming) {
                return incoming
            }
            queuedMessages.append(incoming)
        }
    }

    /// Returns the next incoming message, or nil when `deadline` passes first.
    ///
    /// Wraps `dbus_connection_read_write` and `dbus_connection_pop_message`.
    /// Messages are not dispatched, so nothing but this class consumes them.
    private func receive(until deadline: Double, member: String) throws -> DBusMessage? {
        while true {
            if let raw = dbus_connection_pop_message(pointer) {
                let message = DBusMessage(taking: raw)
                dump?.write(message, direction: .received)
                if message.type == .signal && message.interface == "org.freedesktop.DBus.Local"
                    && message.member == "Disconnected" {
                    throw DBusError.disconnected(member: member)
                }
                return message
            }
            if shouldStopWaiting() {
                throw DBusError.interrupted(member: member)
            }
            let remaining = deadline - monotonicSeconds()
            if remaining <= 0 {
                return nil
            }

            // Wake at least every 100 ms so that shouldStopWaiting is polled.
            let slice = Int32(min(remaining, 0.1) * 1000) + 1
            guard dbus_connection_read_write(pointer, slice) != 0 else {
                throw DBusError.disconnected(member: member)
            }
        }
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
    /// returns it, or nil when the time runs out. Other signals are dropped,
    /// and replies are kept for the calls that await them. Throws ``DBusError/interrupted(member:)`` as soon as
    /// ``shouldStopWaiting`` returns true.
    public func waitForSignal(seconds: Double, matching matches: (DBusMessage) -> Bool) throws -> DBusMessage? {
        // Queued replies stay for the calls that await them; queued signals
        // other than the one wanted are dropped.
        let queued = queuedMessages
        queuedMessages = queued.filter { $0.type != .signal }
        if let signal = queued.first(where: { $0.type == .signal && matches($0) }) {
            return signal
        }

        let deadline = monotonicSeconds() + seconds
        while let message = try receive(until: deadline, member: "waiting for a signal") {
            if message.type == .signal && matches(message) {
                return message
            }
            if message.type != .signal {
                queuedMessages.append(message)
            }
        }
        return nil
    }
}

/// Seconds on a clock that never jumps, for deadlines.
public func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1_000_000_000
}
