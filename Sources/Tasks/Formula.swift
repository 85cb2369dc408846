import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A target written as a formula in x or (x, y), e.g. `cos(8*sin(6*pi*x))`.
///
/// Grammar (usual precedence, `^` right-associative and binding tighter than unary minus, so
/// `-x^2 = -(x^2)` and `2^-1 = 0.5`):
///
///     expression := term (('+' | '-') term)*
///     term       := unary (('*' | '/') unary)*
///     unary      := ('-' | '+') unary | power
///     power      := primary (('^' | '**') unary)?
///     primary    := number | constant | variable | function '(' expression ')' | '(' expression ')'
///
/// Numbers: `12`, `0.5`, `.5`, `1e-3`, `2.5E+4`. Constants: `pi`, `e`. Functions: `sin cos tan
/// asin acos atan sinh cosh tanh exp log` (natural) `log10 sqrt abs`, and `jn(n, x)`, the Bessel
/// function of the first kind J_n(x) of integer order n (the C library's `jn`; a non-integer n
/// gives NaN). Variables: `x`, `y` by default. Names are case-sensitive; spaces are ignored;
/// there is no implicit multiplication.
///
/// Evaluation is a walk of the parsed tree in IEEE double arithmetic with libm's functions, so it
/// agrees bit for bit with the same expression written in Swift with Foundation (same order of
/// operations). Domain errors follow IEEE (`log(-1)` is NaN, `1/0` is inf).
public struct Formula: Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    public let source: String
    /// The variable names, in the order their values are passed.
    public let variables: [String]
    /// Number of leading variables the formula needs: 1 + the index of the last one used
    /// (0 for a constant formula). `x*y` needs 2, `sin(x)` needs 1.
    public let dimension: Int
    private let root: Node

    /// Parses `source`; throws a ``FormulaError`` with the column of the first bad character.
    public init(_ source: String, variables: [String] = ["x", "y"]) throws {
        precondition(Set(variables).count == variables.count, "Formula: repeated variable name")
        precondition(variables.allSatisfy { Formula.isName($0) && Builtin(rawValue: $0) == nil && $0 != "pi" && $0 != "e" && $0 != Parser.besselName },
                     "Formula: variable names must be identifiers other than pi, e and the function names")
        var parser = Parser(source: source, variables: variables)
        self.root = try parser.parse()
        self.source = source
        self.variables = variables
        self.dimension = root.usedVariables.map { $0 + 1 }.max() ?? 0
    }

    public var description: String { source }

    public static func == (lhs: Formula, rhs: Formula) -> Bool {
        lhs.source == rhs.source && lhs.variables == rhs.variables
    }

    /// Value with the variables bound in order to `values` (missing ones are 0).
    public func evaluate(_ values: [Double]) -> Double {
        root.evaluate(values)
    }

    /// Value at x (the first variable). Precondition: the formula needs at most one variable.
    public func callAsFunction(_ x: Double) -> Double {
        precondition(dimension <= 1, "Formula \(source) uses \(variables[dimension - 1]); give \(dimension) values")
        return root.evaluate([x])
    }

    /// Value at (x, y) (the first two variables). Precondition: needs at most two.
    public func callAsFunction(_ x: Double, _ y: Double) -> Double {
        precondition(dimension <= 2, "Formula \(source) uses \(variables[dimension - 1]); give \(dimension) values")
        return root.evaluate([x, y])
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }

    // MARK: Tree

    enum Builtin: String, CaseIterable {
        case sin, cos, tan, asin, acos, atan, sinh, cosh, tanh, exp, log, log10, sqrt, abs

        func apply(_ v: Double) -> Double {
            switch self {
            case .sin: return Foundation.sin(v)
            case .cos: return Foundation.cos(v)
            case .tan: return Foundation.tan(v)
            case .asin: return Foundation.asin(v)
            case .acos: return Foundation.acos(v)
            case .atan: return Foundation.atan(v)
            case .sinh: return Foundation.sinh(v)
            case .cosh: return Foundation.cosh(v)
            case .tanh: return Foundation.tanh(v)
            case .exp: return Foundation.exp(v)
            case .log: return Foundation.log(v)
            case .log10: return Foundation.log10(v)
            case .sqrt: return v.squareRoot()
            case .abs: return Swift.abs(v)
            }
        }
    }

    enum Operator: Character {
        case add = "+", subtract = "-", multiply = "*", divide = "/", power = "^"
    }

    indirect enum Node: Sendable {
        case number(Double)
        case variable(Int)
        case negate(Node)
        case binary(Operator, Node, Node)
        case call(Builtin, Node)
        /// J_n(x): the order n (an integer, else NaN) and the argument.
        case bessel(Node, Node)

        func evaluate(_ values: [Double]) -> Double {
            switch self {
            case .number(let v): return v
            case .variable(let i): return i < values.count ? values[i] : 0
            case .negate(let a): return -a.evaluate(values)
            case .call(let f, let a): return f.apply(a.evaluate(values))
            case .bessel(let order, let argument):
                let n = order.evaluate(values)
                guard n.rounded() == n, abs(n) <= Double(Int32.max) else { return .nan }
                return jn(Int32(n), argument.evaluate(values))
            case .binary(let op, let a, let b):
                let l = a.evaluate(values)
                let r = b.evaluate(values)
                switch op {
                case .add: return l + r
                case .subtract: return l - r
                case .multiply: return l * r
                case .divide: return l / r
                case .power: return pow(l, r)
                }
            }
        }

        var usedVariables: Set<Int> {
            switch self {
            case .number: return []
            case .variable(let i): return [i]
            case .negate(let a), .call(_, let a): return a.usedVariables
            case .binary(_, let a, let b), .bessel(let a, let b): return a.usedVariables.union(b.usedVariables)
            }
        }
    }

    // MARK: Parser

    struct Token {
        enum Kind: Equatable {
            case number(Double)
            case name(String)
            case symbol(Character)   // + - * / ^ ( ), and "**" as ^
            case end
        }
        let kind: Kind
        let text: String
        let offset: Int              // 0-based character offset
    }

    struct Parser {
        static let besselName = "jn"
        let source: String
        let characters: [Character]
        let variables: [String]
        var tokens: [Token] = []
        var position = 0

        init(source: String, variables: [String]) {
            self.source = source
            self.characters = Array(source)
            self.variables = variables
        }

        func error(at offset: Int, _ message: String) -> FormulaError {
            FormulaError(source: source, column: offset + 1, message: message)
        }

        mutating func tokenize() throws {
            var i = 0
            while i < characters.count {
                let c = characters[i]
                if c.isWhitespace { i += 1; continue }
                let start = i
                if c.isASCII && (c.isNumber || c == ".") {
                    var text = ""
                    var sawDigit = false
                    while i < characters.count, characters[i].isASCII, characters[i].isNumber {
                        text.append(characters[i]); i += 1; sawDigit = true
                    }
                    if i < characters.count, characters[i] == "." {
                        text.append("."); i += 1
                        while i < characters.count, characters[i].isASCII, characters[i].isNumber {
                            text.append(characters[i]); i += 1; sawDigit = true
                        }
                    }
                    guard sawDigit else { throw error(at: start, "a number needs digits") }
                    // Exponent only when digits follow (so `2*e` stays the constant e).
                    if i < characters.count, characters[i] == "e" || characters[i] == "E" {
                        var j = i + 1
                        if j < characters.count, characters[j] == "+" || characters[j] == "-" { j += 1 }
                        if j < characters.count, characters[j].isASCII, characters[j].isNumber {
                            text.append(contentsOf: characters[i..<j])
                            i = j
                            while i < characters.count, characters[i].isASCII, characters[i].isNumber {
                                text.append(characters[i]); i += 1
                            }
                        }
                    }
                    if i < characters.count, characters[i] == "." || (characters[i].isASCII && characters[i].isNumber) {
                        throw error(at: i, "malformed number")
                    }
                    guard let value = Double(text) else { throw error(at: start, "malformed number '\(text)'") }
                    tokens.append(Token(kind: .number(value), text: text, offset: start))
                } else if c.isLetter || c == "_" {
                    var text = ""
                    while i < characters.count, characters[i].isLetter || characters[i].isNumber || characters[i] == "_" {
                        text.append(characters[i]); i += 1
                    }
                    tokens.append(Token(kind: .name(text), text: text, offset: start))
                } else if c == "*", i + 1 < characters.count, characters[i + 1] == "*" {
                    tokens.append(Token(kind: .symbol("^"), text: "**", offset: start))
                    i += 2
                } else if "+-*/^(),".contains(c) {
                    tokens.append(Token(kind: .symbol(c), text: String(c), offset: start))
                    i += 1
                } else {
                    throw error(at: i, "unexpected character '\(c)'")
                }
            }
            tokens.append(Token(kind: .end, text: "", offset: characters.count))
        }

        var current: Token { tokens[position] }

        func isSymbol(_ s: Character) -> Bool { current.kind == .symbol(s) }

        mutating func parse() throws -> Node {
            try tokenize()
            if current.kind == .end { throw error(at: 0, "empty formula") }
            let node = try expression()
            guard current.kind == .end else { throw unexpectedAfterOperand() }
            return node
        }

        /// The current token cannot follow a complete operand.
        func unexpectedAfterOperand() -> FormulaError {
            let token = current
            switch token.kind {
            case .end:
                return error(at: token.offset, "unexpected end of formula")
            case .number, .name, .symbol("("):
                return error(at: token.offset, "unexpected '\(token.text)': missing operator (write * to multiply)")
            default:
                return error(at: token.offset, "unexpected '\(token.text)'")
            }
        }

        mutating func expression() throws -> Node {
            var node = try term()
            while isSymbol("+") || isSymbol("-") {
                let op: Operator = isSymbol("+") ? .add : .subtract
                position += 1
                node = .binary(op, node, try term())
            }
            return node
        }

        mutating func term() throws -> Node {
            var node = try unary()
            while isSymbol("*") || isSymbol("/") {
                let op: Operator = isSymbol("*") ? .multiply : .divide
                position += 1
                node = .binary(op, node, try unary())
            }
            return node
        }

        mutating func unary() throws -> Node {
            if isSymbol("-") {
                position += 1
                return .negate(try unary())
            }
            if isSymbol("+") {
                position += 1
                return try unary()
            }
            return try power()
        }

        mutating func power() throws -> Node {
            let base = try primary()
            if isSymbol("^") {
                position += 1
                return .binary(.power, base, try unary())
            }
            return base
        }

        mutating func primary() throws -> Node {
            let token = current
            switch token.kind {
            case .number(let value):
                position += 1
                return .number(value)
            case .symbol("("):
                position += 1
                let inner = try expression()
                guard isSymbol(")") else {
                    if current.kind == .end {
                        throw error(at: current.offset, "missing ')' to close the '(' at column \(token.offset + 1)")
                    }
                    throw unexpectedAfterOperand()
                }
                position += 1
                return inner
            case .name(let name):
                position += 1
                if let index = variables.firstIndex(of: name) { return .variable(index) }
                if name == "pi" { return .number(Double.pi) }
                if name == "e" { return .number(M_E) }
                if name == Self.besselName {
                    guard isSymbol("(") else { throw error(at: current.offset, "function 'jn' needs two arguments: jn(n, x)") }
                    let open = current.offset
                    position += 1
                    let order = try expression()
                    guard isSymbol(",") else {
                        if current.kind == .end { throw error(at: current.offset, "missing ', x)' of 'jn(' at column \(open + 1): write jn(n, x)") }
                        throw error(at: current.offset, "expected ',' after the order of jn(n, x)")
                    }
                    position += 1
                    let argument = try expression()
                    guard isSymbol(")") else {
                        if current.kind == .end { throw error(at: current.offset, "missing ')' to close 'jn(' at column \(open + 1)") }
                        throw unexpectedAfterOperand()
                    }
                    position += 1
                    return .bessel(order, argument)
                }
                if let function = Builtin(rawValue: name) {
                    guard isSymbol("(") else {
                        throw error(at: current.offset, "function '\(name)' needs an argument in parentheses")
                    }
                    let open = current.offset
                    position += 1
                    let argument = try expression()
                    guard isSymbol(")") else {
                        if current.kind == .end {
                            throw error(at: current.offset, "missing ')' to close '\(name)(' at column \(open + 1)")
                        }
                        throw unexpectedAfterOperand()
                    }
                    position += 1
                    return .call(function, argument)
                }
                let known = (variables + ["pi", "e"]).joined(separator: ", ")
                let functions = (Builtin.allCases.map(\.rawValue) + [Self.besselName + "(n, x)"]).joined(separator: " ")
                throw error(at: token.offset, "unknown name '\(name)' (variables and constants: \(known); functions: \(functions))")
            case .end:
                throw error(at: token.offset, "unexpected end of formula: expected a number, name or '('")
            case .symbol:
                throw error(at: token.offset, "unexpected '\(token.text)': expected a number, name or '('")
            }
        }
    }
}

/// Why a formula does not parse, and where.
///
/// `description` shows the formula with a caret under the offending character:
///
///     cos(8*sin(6*pi*x)))
///                       ^ unexpected ')'
public struct FormulaError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The formula as given.
    public let source: String
    /// 1-based column (in characters) of the offending character; `source.count + 1` for a
    /// formula that ends too early.
    public let column: Int
    /// What is wrong, without the position.
    public let message: String

    public init(source: String, column: Int, message: String) {
        self.source = source
        self.column = column
        self.message = message
    }

    /// Spaces up to the column, a caret and the message.
    public var caretLine: String {
        String(repeating: " ", count: column - 1) + "^ " + message
    }

    /// The formula and the caret line.
    public var description: String {
        source + "\n" + caretLine
    }
}
