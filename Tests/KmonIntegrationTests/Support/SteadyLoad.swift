import KmonLoad
import KmonWorkload
import Testing

enum SteadyLoad {
    static let connections = 4

    /// 500 requests/s for 3 s at the workload's ingress on 4 connections, all of which must be
    /// answered: the load the monitor tests count spans against. Returns the answered requests.
    static func run(on workload: RunningWorkload) throws -> [GroundTruthRecord] {
        let generator = LoadGenerator(LoadConfiguration(
            target: LoadTarget(endpoint: workload.ingress.endpoint), connections: connections,
            model: .openLoop(rate: 500, poisson: false), duration: 3))
        _ = try generator.run()
        let answered = generator.records.filter { !$0.flags.contains(.error) && !$0.flags.contains(.timeout) }
        #expect(answered.count > 1000)
        #expect(generator.records.count == answered.count, "load generator saw errors")
        return answered
    }
}
