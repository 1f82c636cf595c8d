import KmonWorkload
import Testing

extension WorkloadSpecError {
    /// What parsing `yaml` as `file` is refused with; nil, recorded as an issue, when the spec
    /// is accepted or fails with another error.
    static func parsing(_ yaml: String, file: String) -> WorkloadSpecError? {
        do {
            _ = try WorkloadSpec.parse(yaml: yaml, file: file)
            Issue.record("accepted:\n\(yaml)")
            return nil
        } catch let error as WorkloadSpecError {
            return error
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }
}
