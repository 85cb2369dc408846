import Foundation

/// A tick: position in data units and its label (nil for minor ticks).
struct Tick: Equatable {
    var value: Double
    var label: RichText?
    var isMajor: Bool { label != nil }
}

/// Ticks of one axis plus an optional multiplier label ("×10⁻⁵") shown at the end of the axis.
struct AxisTicks: Equatable {
    var ticks: [Tick]
    var multiplier: RichText?
    var major: [Tick] { ticks.filter { $0.isMajor } }
}

/// Tick label formatting. Labels are built from integers (tick index times step mantissa times a
/// power of ten), never from the floating-point tick value, so 0.1 + 0.2 prints "0.3".
enum TickFormat {
    static let minus = "\u{2212}"

    static func signed(_ digits: String, negative: Bool) -> String { negative ? minus + digits : digits }

    /// The decimal text of `n × 10^p` with exactly `decimals` digits after the point (requires
    /// that the value is representable with them). `n` may be negative; zero is never "−0".
    static func decimal(_ n: Int64, exponent p: Int, decimals: Int) -> String {
        let negative = n < 0
        var digits = String(n.magnitude)
        // Shift so that the value is digits × 10^(-decimals).
        let shift = p + decimals
        if shift > 0 {
            if n != 0 { digits += String(repeating: "0", count: shift) }
        } else if shift < 0 {
            // Drop trailing digits (they are zeros by construction).
            let drop = min(-shift, digits.count)
            digits = String(digits.dropLast(drop))
            if digits.isEmpty { digits = "0" }
        }
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            let cut = digits.index(digits.endIndex, offsetBy: -decimals)
            digits = digits[..<cut] + "." + digits[cut...]
        }
        let isZero = !digits.contains(where: { $0 != "0" && $0 != "." })
        return signed(digits, negative: negative && !isZero)
    }

    /// A short label for an arbitrary value (annotations, alt text, colour-bar ends):
    /// up to `significant` significant digits, trailing zeros removed, U+2212 for minus.
    static func general(_ v: Double, significant: Int = 4, unicodeMinus: Bool = true) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : (v > 0 ? "∞" : (unicodeMinus ? minus : "-") + "∞") }
        if v == 0 { return "0" }
        var s = String(format: "%.\(significant)g", v)
        if s.contains("e") {
            // 1.5e-05 -> 1.5e-5
            let parts = s.split(separator: "e")
            var mant = String(parts[0])
            if mant.contains(".") {
                while mant.hasSuffix("0") { mant.removeLast() }
                if mant.hasSuffix(".") { mant.removeLast() }
            }
            let e = Int(parts[1]) ?? 0
            s = mant + "e" + String(e)
        } else if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return unicodeMinus ? s.replacingOccurrences(of: "-", with: minus) : s
    }

    static func trailingZeros(_ n: Int64) -> Int {
        if n == 0 { return 0 }
        var n = n.magnitude, z = 0
        while n % 10 == 0 { n /= 10; z += 1 }
        return z
    }
}

/// Tick locators: matplotlib's MaxNLocator for linear axes, decades for log axes.
enum TickLocator {
    /// Step mantissas, times 10 so they are integers: 1, 2, 2.5, 5, 10.
    static let steps: [Int64] = [10, 20, 25, 50, 100]

    /// At most `maxBins` intervals between ticks inside [lo, hi], with the smallest nice step that
    /// is at least (hi - lo) / maxBins; falls back to smaller steps until two ticks are visible.
    static func linear(_ lo: Double, _ hi: Double, maxBins: Int) -> AxisTicks {
        guard lo.isFinite, hi.isFinite, hi > lo, (hi - lo).isFinite else { return AxisTicks(ticks: [], multiplier: nil) }
        let bins = Double(max(1, maxBins))
        let raw = (hi - lo) / bins
        // Tick indices are Int64: give up (no ticks, no crash) when the range is below ~1e-15 of
        // the values, where doubles cannot tell ticks apart anyway.
        guard raw > 0, max(abs(lo), abs(hi)) / raw < 1e15 else { return AxisTicks(ticks: [], multiplier: nil) }
        let e = Int(floor(log10(raw)))
        // Candidate (mantissa×10, exponent) pairs from large to small.
        var candidates: [(Int64, Int)] = []
        for ee in stride(from: e + 1, through: e - 1, by: -1) {
            for m in steps.reversed() { candidates.append((m, ee)) }
        }
        // Index of the smallest candidate step >= raw.
        func stepValue(_ c: (Int64, Int)) -> Double { Double(c.0) * pow(10, Double(c.1 - 1)) }
        var start = 0
        for (i, c) in candidates.enumerated() where stepValue(c) >= raw * (1 - 1e-9) { start = i }
        var chosen: (m: Int64, e: Int, kLo: Int64, kHi: Int64)? = nil
        for c in candidates[start...] {
            let step = stepValue(c)
            let kLo = Int64((lo / step - 1e-9).rounded(.up))
            let kHi = Int64((hi / step + 1e-9).rounded(.down))
            if kHi - kLo + 1 >= 2 || c == candidates.last! {
                chosen = (c.0, c.1, kLo, kHi)
                break
            }
        }
        guard let ch = chosen, ch.kHi >= ch.kLo else { return AxisTicks(ticks: [], multiplier: nil) }
        let step = stepValue((ch.m, ch.e))
        // value = k × m × 10^(e-1)
        let p = ch.e - 1
        let maxAbs = max(abs(Double(ch.kLo) * step), abs(Double(ch.kHi) * step))
        // Use a shared multiplier when labels would get long (|v| >= 1e5 or steps below 1e-4).
        var q = 0
        if maxAbs >= 1e5 || step < 1e-4 {
            q = maxAbs > 0 ? Int(floor(log10(maxAbs))) : 0
        }
        let pq = p - q
        let decimals = max(0, -pq - TickFormat.trailingZeros(ch.m))
        var ticks: [Tick] = []
        for k in ch.kLo...ch.kHi {
            let n = k * ch.m
            let label = TickFormat.decimal(n, exponent: pq, decimals: decimals)
            ticks.append(Tick(value: Double(k) * step, label: RichText(label)))
        }
        let multiplier: RichText? = q != 0 ? RichText.powerOfTen(q, mantissa: nil).prefixed("\u{00D7}") : nil
        return AxisTicks(ticks: ticks, multiplier: multiplier)
    }

    /// Log axes: labelled decades (every n-th decade when there are more than `maxBins`), minor
    /// ticks at 2..9 × 10^k when every decade is labelled. Ranges spanning less than two decade
    /// ticks get 1-2-5 (or 1..9) ticks labelled in decimal.
    static func log(_ lo: Double, _ hi: Double, maxBins: Int) -> AxisTicks {
        guard lo.isFinite, hi.isFinite, lo > 0, hi > lo else { return AxisTicks(ticks: [], multiplier: nil) }
        let a = log10(lo), b = log10(hi)
        let kLo = Int((a - 1e-9).rounded(.up)), kHi = Int((b + 1e-9).rounded(.down))
        let decades = kHi - kLo + 1
        var ticks: [Tick] = []
        if decades >= 2 {
            let stride = max(1, Int((Double(decades) / Double(max(1, maxBins))).rounded(.up)))
            for k in (kLo - 1)...(kHi + 1) {
                let v = pow(10, Double(k))
                if k >= kLo && k <= kHi && k % stride == 0 {
                    ticks.append(Tick(value: v, label: powerLabel(k)))
                } else if k >= kLo && k <= kHi {
                    ticks.append(Tick(value: v, label: nil))
                }
                if stride == 1 && decades <= 12 {
                    for m in 2...9 {
                        let w = Double(m) * v
                        if w >= lo * (1 - 1e-12) && w <= hi * (1 + 1e-12) { ticks.append(Tick(value: w, label: nil)) }
                    }
                }
            }
            ticks.sort { $0.value < $1.value }
            return AxisTicks(ticks: ticks, multiplier: nil)
        }
        // Narrow range: 1, 2, 5 × 10^k when that gives three or more labels, else every
        // integer mantissa when those fit in maxBins + 1, else 1-2-5 if it gives two, else
        // linear ticks (less than a factor of ~2.5).
        func candidates(_ mantissas: [Int]) -> [Tick] {
            var t: [Tick] = []
            for k in (kLo - 1)...(kHi + 1) {
                for m in 1...9 {
                    let v = Double(m) * pow(10, Double(k))
                    guard v >= lo * (1 - 1e-12) && v <= hi * (1 + 1e-12) else { continue }
                    t.append(Tick(value: v, label: mantissas.contains(m) ? mantissaLabel(m, k) : nil))
                }
            }
            return t
        }
        let c125 = candidates([1, 2, 5]), all = candidates(Array(1...9))
        let n125 = c125.filter { $0.isMajor }.count, nAll = all.count
        if n125 >= 3 { return AxisTicks(ticks: c125, multiplier: nil) }
        if nAll >= 2 && nAll <= maxBins + 1 { return AxisTicks(ticks: all, multiplier: nil) }
        if n125 >= 2 { return AxisTicks(ticks: c125, multiplier: nil) }
        return linear(lo, hi, maxBins: 3)
    }

    static func powerLabel(_ k: Int) -> RichText {
        RichText.powerOfTen(k)
    }

    /// m × 10^k in decimal when short (|k| <= 4), else m×10^k.
    static func mantissaLabel(_ m: Int, _ k: Int) -> RichText {
        if k >= -4 && k <= 4 {
            return RichText(TickFormat.decimal(Int64(m), exponent: k, decimals: max(0, -k)))
        }
        return m == 1 ? RichText.powerOfTen(k) : RichText.powerOfTen(k, mantissa: String(m))
    }
}

extension RichText {
    func prefixed(_ s: String) -> RichText {
        var r = self
        r.runs.insert(Run(text: s), at: 0)
        return r
    }
}
