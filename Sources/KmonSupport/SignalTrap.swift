import Dispatch
import Glibc

/// Turns SIGINT and SIGTERM into a `StopToken` stop, so a command can unwind and clean up
/// (processes, namespaces, BPF links) instead of dying mid-way. A second signal exits at once.
public final class SignalTrap {
    private var sources: [DispatchSourceSignal] = []
    public let token: StopToken
    public private(set) var received: Int32?

    public init(token: StopToken = StopToken(), signals: [Int32] = [SIGINT, SIGTERM]) {
        self.token = token
        for sig in signals {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                if self.token.isStopped { _exit(128 + sig) }
                self.received = sig
                self.token.stop(reason: sig == SIGINT ? "interrupted (SIGINT)" : "terminated (SIGTERM)")
            }
            source.resume()
            sources.append(source)
        }
    }

    deinit {
        sources.forEach { $0.cancel() }
    }
}
