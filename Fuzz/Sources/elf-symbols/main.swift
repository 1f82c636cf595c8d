import FuzzSupport
import Glibc
import KmonCollectors

// The ELF symbol reader (stacks of any binary a watched process runs, symbolized as root): any
// bytes in, symbols or a one-line error naming the file out, never a trap. The reader takes a
// path and preads it (a file is what an attacker controls), so each input is written to one
// file in a private folder first. Then a few offsets a stack could hold are looked up.
let tmp = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
var template = Array("\(tmp)/kmon-fuzz-elf.XXXXXX".utf8CString)
guard mkdtemp(&template) != nil else { fatalError("mkdtemp: \(String(cString: strerror(errno)))") }
let folder = String(cString: template)
let path = folder + "/input"
atexit {
    unlink(path)
    rmdir(folder)
}

func write(_ bytes: UnsafeRawBufferPointer) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o600)
    precondition(fd >= 0, "open \(path): \(String(cString: strerror(errno)))")
    var done = 0
    while done < bytes.count {
        let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
        precondition(n > 0, "write \(path): \(String(cString: strerror(errno)))")
        done += n
    }
    close(fd)
}

Fuzzer.run { bytes in
    write(bytes)
    let symbols: ELFSymbols
    do {
        symbols = try ELFSymbols(path: path)
    } catch {
        let line = "\(error)"
        precondition(line.contains(path) && !line.contains("\n"), "not a one-line error naming the file: \(line)")
        return
    }
    for offset: UInt64 in [0, 0x40, 0x1000, UInt64(bytes.count), UInt64.max / 2, UInt64.max] {
        if let address = symbols.address(forFileOffset: offset) { _ = symbols.symbolize(address: address) }
        _ = symbols.symbolize(address: offset)
    }
}
