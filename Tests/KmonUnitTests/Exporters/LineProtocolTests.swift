import KmonExport
import Testing

@Suite struct LineProtocolTests {
    @Test func escapesEachPartByItsOwnRules() {
        #expect(LineProtocol.escapeMeasurement("kmon req,x y=z") == #"kmon\ req\,x\ y=z"#)
        #expect(LineProtocol.escapeKey("a b,c=d") == #"a\ b\,c\=d"#)
        #expect(LineProtocol.quoteString(#"say "hi" \ bye"#) == #""say \"hi\" \\ bye""#)
    }

    @Test func controlCharactersBecomeSpacesAndTrailingBackslashesGo() {
        #expect(LineProtocol.escapeKey("line\nbreak\ttab") == #"line\ break\ tab"#)
        #expect(LineProtocol.escapeKey(#"ends\\"#) == "ends")
        #expect(LineProtocol.escapeKey(#"mid\dle"#) == #"mid\dle"#)
    }

    @Test func pointLineSortsTagsTypesFieldsAndSkipsUnwritableValues() {
        let point = LinePoint(
            measurement: "kmon_requests",
            tags: ["side": "server", "peer": "10.0.0.1:80", "service": "my svc", "empty": ""],
            fields: [("count", .unsigned(12)), ("mean", .float(0.5)), ("bad", .float(.nan)), ("inf", .float(.infinity)),
                     ("name", .string("x")), ("ok", .boolean(true)), ("delta", .integer(-3))],
            timestamp: 1_700_000_000_000_000_000)
        #expect(point.line == #"kmon_requests,peer=10.0.0.1:80,service=my\ svc,side=server count=12i,mean=0.5,name="x",ok=true,delta=-3i 1700000000000000000"#)
    }

    @Test func pointWithoutWritableFieldsHasNoLine() {
        let point = LinePoint(measurement: "m", fields: [("v", .float(.nan)), ("u", .unsigned(.max))], timestamp: 1)
        #expect(point.line == nil)
    }
}
