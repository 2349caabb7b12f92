import DBus

/// Runs `org.freedesktop.Secret.Prompt` objects and waits for `Completed`.
public struct PromptRunner {
    let connection: DBusConnection

    /// The maximum time, in seconds, to wait for `Completed` before dismissing the prompt.
    public var timeout: Double

    public init(connection: DBusConnection, timeout: Double) {
        self.connection = connection
        self.timeout = timeout
    }

    /// Shows the prompt at `path` and returns its result once it completes.
    ///
    /// The match rule for `Completed` is added before `Prompt` is called,
    /// because a service may complete the prompt (and KeePassXC broadcast the
    /// signal) before the reply to `Prompt` arrives. On timeout the prompt is
    /// dismissed with `Dismiss` so that no dialog is left behind, and so it
    /// is when the wait is interrupted.
    ///
    /// Calls `Prompt` and, on timeout or interruption, `Dismiss`.
    public func run(_ path: String) throws -> DBusValue {
        let rule = "type='signal',interface='\(SecretServiceNames.promptInterface)',member='Completed',path='\(path)'"
        try mapErrors(path) { try connection.addMatch(rule) }
        defer { connection.removeMatch(rule) }

        let prompt = ObjectProxy(connection: connection, path: path, interface: SecretServiceNames.promptInterface)
        // An empty window id: the CLI has no window for the dialog to attach to.
        try prompt.call("Prompt", [.string("")], replySignature: "")

        let signal: DBusMessage?
        do {
            signal = try mapErrors(path) {
                try connection.waitForSignal(seconds: timeout) { message in
                    message.path == path && message.member == "Completed"
                        && message.interface == SecretServiceNames.promptInterface
                }
            }
        } catch SecretServiceError.interrupted {
            dismiss(path)
            throw SecretServiceError.interrupted
        }
        guard let signal else {
            dismiss(path)
            throw SecretServiceError.promptTimedOut(promptPath: path, seconds: timeout)
        }

        let arguments = try mapErrors(path) { try signal.arguments() }
        guard signal.signature == "bv", let dismissed = arguments[0].booleanValue else {
            throw SecretServiceError.protocolViolation("Completed of \(path) has signature '\(signal.signature)', expected 'bv'")
        }
        if dismissed {
            throw SecretServiceError.promptDismissed(promptPath: path)
        }
        return arguments[1].unwrappingVariant
    }

    /// Dismisses the prompt so that no dialog is left on screen. The reply
    /// is not awaited, because the client is giving up on the prompt anyway.
    ///
    /// Calls `Dismiss`.
    private func dismiss(_ path: String) {
        try? connection.callWithoutReply(
            destination: SecretServiceNames.busName, path: path,
            interface: SecretServiceNames.promptInterface, member: "Dismiss", arguments: [])
    }

    private func mapErrors<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DBusError {
            throw SecretServiceError(error, objectPath: path)
        }
    }
}
