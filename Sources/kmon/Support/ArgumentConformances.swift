import ArgumentParser
import KmonBench
import KmonContainers
import KmonTcpreq

// The libraries' choices, parsed once by ArgumentParser from their raw values. A value that is
// not one of them is a usage error (exit 64) that lists the accepted ones.

extension ProbeVariant: ExpressibleByArgument {}

extension SpanMode: ExpressibleByArgument {}

extension ServiceNaming: ExpressibleByArgument {}

extension BenchPreset.Name: ExpressibleByArgument {}
