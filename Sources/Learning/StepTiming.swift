import Numerics
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The engine's measured speed for one network shape: seconds per full optimizer step (forward,
/// loss, backward, Adam update) of a network of `widths` with the given hidden activation on
/// `rows` points (the activation matters for narrow networks: a tanh or a sine costs tens of
/// times a ReLU, and at width 20 it is most of a step), on the thread
/// count `BLASThreads` is set to. Cost models multiply it by step counts (see ReportSite's
/// `RunCost`).
///
/// Method: a network of the shape (seed 0) on uniform random data is trained for 2 steps (the
/// workspaces are made), then for k steps with k doubled from 2 until the timed span reaches
/// `minimumSeconds`; the result is that span over k. Timed by the calling thread's CPU time when
/// the engine computes on one thread (a loaded machine then barely moves it: other processes
/// take turns, not cycles, from this thread); on several threads, by wall time times the share
/// of the threads' time the process was on a core (its CPU time over wall time × threads,
/// at most 1), which is 1 on a quiet machine (OpenBLAS's waiting threads spin) and takes out
/// the turns other processes took (measured beside a training at nice −5: ~7 h for a 512 × 512
/// Gaussian-feature run by wall time alone, against 17 minutes trained). It includes what every
/// `train` call costs once (its workspace and optimizer state), spread over the k steps: at
/// the default 20 ms that is under a few percent for the shapes the reports train.
public enum StepTiming {
    /// Seconds per optimizer step (see the type's documentation for the method and the clock).
    public static func secondsPerStep(widths: [Int], rows: Int, float64: Bool = false, activation: Activation = .relu,
                                      minimumSeconds: Double = 0.02) -> Double {
        float64 ? measure(Double.self, widths: widths, rows: rows, activation: activation, minimumSeconds: minimumSeconds)
            : measure(Float.self, widths: widths, rows: rows, activation: activation, minimumSeconds: minimumSeconds)
    }

    /// The clock `secondsPerStep` uses now: the thread's CPU time on one thread, else wall time.
    public static func clock() -> Double {
        var t = timespec()
        clock_gettime(BLASThreads.current == 1 ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// The CPU time of every thread of this process, in seconds.
    static func processCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    private static func measure<T: RealScalar>(_: T.Type, widths: [Int], rows: Int, activation: Activation, minimumSeconds: Double) -> Double {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 } && rows > 0, "StepTiming: bad shape")
        let network = Network<T>(spec: NetworkSpec(widths: widths, hidden: activation), seed: 0)
        var rng = SeededGenerator(seed: 0)
        let x = Matrix<T>(rows: rows, cols: widths[0], values: (0..<(rows * widths[0])).map { _ in T(rng.uniform(-1, 1)) })
        let y = Matrix<T>(rows: rows, cols: widths.last!, values: (0..<(rows * widths.last!)).map { _ in T(rng.uniform(-1, 1)) })
        let threads = BLASThreads.current
        func steps(_ k: Int) -> Double {
            let t0 = clock(), cpu0 = processCPUTime()
            _ = train(network, x: x, y: y, spec: TrainingSpec(optimizer: .adam(learningRate: 1e-4), epochs: k, seed: 0))
            let span = clock() - t0
            guard threads > 1, span > 0 else { return span }
            return span * min(1, (processCPUTime() - cpu0) / (span * Double(threads)))
        }
        _ = steps(2)
        var k = 2
        while true {
            let seconds = steps(k)
            if seconds >= minimumSeconds || k >= 1 << 20 { return seconds / Double(k) }
            k *= 2
        }
    }
}
