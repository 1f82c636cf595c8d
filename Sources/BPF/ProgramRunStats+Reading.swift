import CLibbpf
import KmonSystem

extension ProgramRunStats {
    /// Reads a loaded program's counters from the kernel (`bpf_prog_info`).
    init(programFD: Int32, name: String) throws {
        var info = bpf_prog_info()
        var length = UInt32(MemoryLayout<bpf_prog_info>.size)
        try BPFError.check(bpf_obj_get_info_by_fd(programFD, &info, &length), "bpf_obj_get_info_by_fd", "reading run statistics of \(name)")
        self.init(name: name, id: info.id, runCount: info.run_cnt, runTimeNanoseconds: info.run_time_ns,
                  recursionMisses: info.recursion_misses)
    }
}
