/// Where the sock, fentry and skb variants keep per-connection state.
public enum StateHome: String, Sendable {
    /// `BPF_MAP_TYPE_SK_STORAGE`: one storage lookup per run, nothing to delete. Wherever the
    /// kernel allows it.
    case socketStorage = "storage"
    /// `conn_table`, a hash by socket cookie: a cookie helper and a hashed lookup per run, at most
    /// its entries. Where the kernel refuses socket storage, or forced by `KMON_TCPREQ_STATE=table`.
    case table
}
