@testable import ClaudeGateStorage
import XCTest

final class JSONParserTests: XCTestCase {
    private func parse(_ text: String) throws -> JSONValue {
        try JSONValue.parse(Array(text.utf8))
    }

    func testParsesEveryValueKind() throws {
        let value = try parse(#" { "s": "a\"b\\c\/d\n\u00e9\ud83d\udd11", "i": -42, "d": 1.5e3, "t": true, "f": false, "n": null, "a": [1, [], {}] } "#)
        XCTAssertEqual(value, .object([
            "s": .string("a\"b\\c/d\né🔑"), "i": .integer(-42), "d": .double(1500), "t": .bool(true), "f": .bool(false),
            "n": .null, "a": .array([.integer(1), .array([]), .object([:])]),
        ]))
    }

    func testIntegerLimits() throws {
        XCTAssertEqual(try parse("9223372036854775807"), .integer(Int64.max))
        XCTAssertEqual(try parse("-9223372036854775808"), .integer(Int64.min))
        XCTAssertEqual(try parse("9223372036854775808"), .double(9223372036854775808))
        XCTAssertEqual(try parse("-0"), .integer(0))
    }

    func testRepeatedKeyKeepsLastValue() throws {
        XCTAssertEqual(try parse(#"{"k":1,"k":2}"#), .object(["k": .integer(2)]))
    }

    func testRejectsInvalidJSON() {
        let invalid = ["", " ", "01", "1.", ".5", "+1", "-", "1e", "[1,]", #"{"a":1,}"#, #"{"a" 1}"#, "tru", "nul",
                       "1 2", #""\u12""#, #""\ud800""#, #""\udc00""#, #""\x""#, "\"a\u{01}b\"", "\"open", "[", "{",
                       #"{1:2}"#, "1e400", "NaN"]
        for text in invalid {
            XCTAssertThrowsError(try parse(text), "accepted \(text.debugDescription)")
        }
    }

    func testRejectsInvalidUTF8() {
        XCTAssertThrowsError(try JSONValue.parse([0x22, 0xff, 0x22]))
    }

    func testRejectsDeepNesting() {
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        XCTAssertThrowsError(try parse(deep))
        let shallow = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        XCTAssertNoThrow(try parse(shallow))
    }

    /// The parser and Foundation's JSONSerialization agree on what a JSON
    /// document means, over the serializer's own output.
    func testAgreesWithJSONSerialization() throws {
        let samples: [Any] = [
            ["anthropic": ["type": "oauth", "access": "a\u{2028}b", "expires": 1_767_225_600]],
            ["nested": [["x": 1.25], ["y": NSNull()], "é 日本"]],
        ]
        for sample in samples {
            let data = try JSONSerialization.data(withJSONObject: sample, options: [.sortedKeys])
            let ours = try JSONValue.parse(Array(data))
            let roundTrip = try JSONSerialization.jsonObject(with: Data(try ours.serialized()))
            XCTAssertEqual(try JSONSerialization.data(withJSONObject: roundTrip, options: [.sortedKeys]), data)
        }
    }
}
