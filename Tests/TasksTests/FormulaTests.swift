import Foundation
import Tasks
import XCTest

final class FormulaTests: XCTestCase {
    func testValuesAgreeWithFoundation() throws {
        let f = try Formula("cos(8*sin(6*pi*x))")
        XCTAssertEqual(f.dimension, 1)
        XCTAssertEqual(f(0.1), cos(8 * sin(6 * Double.pi * 0.1)))
        let g = try Formula("exp(-x) * sin(2*pi*y) + x^2/3 - sqrt(abs(y)) + tanh(log(2)) ")
        XCTAssertEqual(g.dimension, 2)
        let (x, y) = (0.7, -0.2)
        XCTAssertEqual(g(x, y), exp(-x) * sin(2 * .pi * y) + pow(x, 2) / 3 - abs(y).squareRoot() + tanh(log(2)),
                       accuracy: 1e-15)
    }

    /// jn(n, x) is the C library's Bessel function: tabulated values, and the Jacobi–Anger
    /// expansion cos(a sin θ) = J₀(a) + 2 Σₖ J₂ₖ(a) cos(2kθ), summed to k = 15 (a = 8), to 1e-12.
    func testBesselFunctionOfTheFirstKind() throws {
        XCTAssertEqual(try Formula("jn(0, 1)").evaluate([]), 0.7651976865579666, accuracy: 1e-15)
        XCTAssertEqual(try Formula("jn(1, 1)").evaluate([]), 0.44005058574493355, accuracy: 1e-15)
        XCTAssertEqual(try Formula("jn(2, 8)").evaluate([]), -0.11299172042407525, accuracy: 1e-14)
        XCTAssertTrue(try Formula("jn(0.5, 1)").evaluate([]).isNaN, "a non-integer order has no J_n")
        let terms = (1...15).map { "2*jn(\(2 * $0), 8)*cos(\(2 * $0)*6*pi*x)" }.joined(separator: " + ")
        let expansion = try Formula("jn(0, 8) + " + terms)
        let composite = try Formula("cos(8*sin(6*pi*x))")
        XCTAssertEqual(expansion.dimension, 1)
        for x in stride(from: 0.0, to: 1, by: 0.037) {
            XCTAssertEqual(expansion(x), composite(x), accuracy: 1e-12)
        }
        XCTAssertThrowsError(try Formula("jn(2)")) { XCTAssertEqual(($0 as? FormulaError)?.column, 5) }
        XCTAssertThrowsError(try Formula("jn 2, x")) { XCTAssertEqual(($0 as? FormulaError)?.column, 4) }
        XCTAssertThrowsError(try Formula("sin(1, 2)")) { XCTAssertEqual(($0 as? FormulaError)?.column, 6) }
    }

    func testPrecedenceAndNumbers() throws {
        XCTAssertEqual(try Formula("-2^2").evaluate([]), -4)
        XCTAssertEqual(try Formula("2^3^2").evaluate([]), 512)
        XCTAssertEqual(try Formula("2**-1").evaluate([]), 0.5)
        XCTAssertEqual(try Formula("1 - 2 - 3").evaluate([]), -4)
        XCTAssertEqual(try Formula("8/4/2").evaluate([]), 1)
        XCTAssertEqual(try Formula("1.5e2 + .5 + 2E-1").evaluate([]), 150.7, accuracy: 1e-12)
        XCTAssertEqual(try Formula("2*e").evaluate([]), 2 * M_E)
        XCTAssertEqual(try Formula("(1+2)*3").evaluate([]), 9)
        XCTAssertEqual(try Formula("t^2", variables: ["t"])(3), 9)
        XCTAssertEqual(try Formula("7").dimension, 0)
        XCTAssertEqual(try Formula("y").dimension, 2)
    }

    func assertError(_ source: String, column: Int, contains fragment: String,
                     file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try Formula(source)
            XCTFail("'\(source)' parsed", file: file, line: line)
        } catch let error as FormulaError {
            XCTAssertEqual(error.column, column, "\(error)", file: file, line: line)
            XCTAssertTrue(error.message.contains(fragment), "\(error)", file: file, line: line)
        } catch {
            XCTFail("unexpected error \(error)", file: file, line: line)
        }
    }

    func testErrorColumns() {
        assertError("cos(8*sin(6*pi*x)))", column: 19, contains: "unexpected ')'")
        assertError("cos(8*sin(6*pi*x)", column: 18, contains: "missing ')' to close 'cos(' at column 4")
        assertError("sin(2*pi*z)", column: 10, contains: "unknown name 'z'")
        assertError("2x", column: 2, contains: "missing operator")
        assertError("x + # 1", column: 5, contains: "unexpected character '#'")
        assertError("x * ", column: 5, contains: "unexpected end")
        assertError("", column: 1, contains: "empty")
        assertError("sin x", column: 5, contains: "needs an argument")
        assertError("1.2.3", column: 4, contains: "malformed number")
        assertError("(x + 1", column: 7, contains: "missing ')' to close the '(' at column 1")
        assertError("x ** * 2", column: 6, contains: "unexpected '*'")
    }

    func testCaretDiagnostic() {
        XCTAssertThrowsError(try Formula("cos(8*sin(6*pi*x)))")) { error in
            XCTAssertEqual("\(error)", "cos(8*sin(6*pi*x)))\n" + String(repeating: " ", count: 18) + "^ unexpected ')'")
        }
    }
}
