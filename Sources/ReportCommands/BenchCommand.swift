import ArgumentParser
import CPeakFMA
import Experiments
import Foundation
import Learning
import Numerics
#if canImport(ReportSite)
import ReportSite
#endif

/// `mgdl-report bench`: trains the peer benchmark workloads with our engine and prints one JSON
/// line per (workload, threads), with the fields of `../shared/bench/peers/common.py`, plus the
/// machine's FMA peak on that many threads, measured in the same process just before and just
/// after the workload (the higher of the two: a busy machine only lowers it), and the workload's
/// fraction of it: `peak_fraction` over wall time (`gflops` / `fma_peak_gflops`), and
/// `peak_fraction_cpu` per CPU-second (`gflops_per_cpu`, the workload's FLOPs over the CPU time
/// the process used, / `fma_peak_gflops_per_cpu`, one core's peak over the CPU time the FMA
/// threads ran). On a quiet machine the two agree; on a shared one the wall-time rates drop with
/// the load, while the per-CPU-second fraction stays (read it there; spinning data-parallel
/// workers count against it).
///
/// The peak (`CPeakFMA`): 12 independent FMA chains per thread on full vector registers (AVX-512
/// where the CPU has it, else AVX2), no memory traffic, best of 3 runs of 0.25 s on each of the
/// `threads` threads. Compared once (2026-11-30, AMD EPYC Zen 4, a loaded machine, so per
/// CPU-second) with a plain OpenMP loop `for i: for j < 192: acc[j] = acc[j] * m + c` compiled by
/// `gcc -O2 -march=native -fopenmp`: 117.4 GFLOP per CPU-second on 1 thread (115.8 on 2) against
/// this kernel's 116.7, the same peak, about 3.6 GHz x 32 FLOP per cycle. (Without
/// `#pragma GCC unroll` on the j loop gcc keeps `acc` in memory, one FMA per loop iteration, and
/// the plain loop reaches only 44: it is then bound by the loop, not by the FMA units.)
public struct BenchCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the training engine on the peer benchmark workloads (JSON lines).",
        discussion: """
            Workloads: rahaman (W1), mgdl_full (W2), mgdl_mb (W2b), ffn (W3), as defined in \
            ../shared/bench/README.md. By default all four run on 1 and 2 BLAS threads, each \
            configuration in its own process (so peak RSS and page faults are its own). Every line \
            also gives the machine's FP32 FMA peak on that many threads, measured in the same \
            process (fma_peak_gflops), and the workload's fraction of it (peak_fraction). \
            Three more workloads are not run by default: recording (the Rahaman network trained \
            with and without record_every: 100 snapshots; recording_overhead_pct), repeats \
            (10 repeats of it trained one after the other against two at a time; repeats_ratio) \
            and mgdl_mb_f64 (mgdl_mb in float64, as the MGDL reports train; its fma_peak_gflops \
            is the float64 peak, half the float32 one). \
            Build in release mode (swift build -c release) before measuring.
            """)

    @Argument(help: "Workloads to run (rahaman, mgdl_full, mgdl_mb, ffn, recording, repeats, mgdl_mb_f64); default the first four.")
    var workloads: [String] = []

    @Option(name: .long, help: "BLAS thread count; default: 1 and 2.")
    var threads: Int?

    @Option(name: .long, help: "Timed steps (epochs for mgdl_mb) instead of the workload's count (smoke tests).")
    var steps: Int?

    @Flag(name: .long, help: .hidden)
    var inProcess = false

    public init() {}

    public func validate() throws {
        for w in workloads where BenchWorkload.named(w) == nil && !BenchCommand.extraWorkloads.contains(w) {
            throw ValidationError("unknown workload '\(w)'; choose from \((BenchWorkload.all.map(\.name) + BenchCommand.extraWorkloads).joined(separator: ", "))")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
    }

    public func run() throws {
        let names = workloads.isEmpty ? BenchWorkload.all.map(\.name) : workloads
        let threadCounts = threads.map { [$0] } ?? [1, 2]
        let configs = threadCounts.flatMap { t in names.map { ($0, t) } }
        if configs.count == 1 || inProcess {
            for (name, t) in configs {
                switch name {
                case "recording": print(recordingOverhead(threads: t, steps: steps))
                case "repeats": print(repeatsCost(threads: t, steps: steps))
                case "mgdl_mb_f64": print(runBenchmark(BenchWorkload.named("mgdl_mb")!, threads: t, steps: steps, precision: Double.self))
                default: print(runBenchmark(BenchWorkload.named(name)!, threads: t, steps: steps, precision: Float.self))
                }
                fflush(stdout)
            }
            return
        }
        // One process per configuration: peak RSS and page faults are per configuration.
        for (name, t) in configs {
            var args = ["bench", name, "--threads", String(t)]
            if let steps { args += ["--steps", String(steps)] }
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
            child.arguments = args
            try child.run()
            child.waitUntilExit()
            if child.terminationStatus != 0 {
                throw BenchError(message: "bench \(name) on \(t) threads failed (status \(child.terminationStatus))")
            }
        }
    }
}

extension BenchCommand {
    /// Workloads beyond the peers' four, run only when named.
    /// `mgdl_mb_f64` is `mgdl_mb` in float64 (the arithmetic of the MGDL reports, after Fang &
    /// Xu's code; no peer script has it), its fraction of the float64 FMA peak (half the float32
    /// one: half the lanes per vector).
    static let extraWorkloads = ["recording", "repeats", "mgdl_mb_f64"]
}

struct BenchError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

// MARK: - Measurement (as common.py's Timer)

private func busySeconds() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
          let line = text.split(separator: "\n").first else { return 0 }
    let v = line.split(separator: " ").dropFirst().compactMap { Double($0) }
    guard v.count >= 8 else { return 0 }
    let idle = v[3] + v[4]
    return (v[0..<8].reduce(0, +) - idle) / Double(sysconf(Int32(_SC_CLK_TCK)))
}

private func usage() -> rusage {
    var r = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &r)
    return r
}

private func cpuSeconds(_ r: rusage) -> Double {
    Double(r.ru_utime.tv_sec) + Double(r.ru_utime.tv_usec) * 1e-6
        + Double(r.ru_stime.tv_sec) + Double(r.ru_stime.tv_usec) * 1e-6
}

func now() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

private struct Timed {
    var seconds = 0.0, cpuUtil = 0.0, otherLoad = 0.0, pageFaults = 0
    static func measure(_ body: () -> Void) -> Timed {
        let r0 = usage(), b0 = busySeconds(), t0 = now()
        body()
        let seconds = now() - t0
        let r1 = usage(), b1 = busySeconds()
        let own = cpuSeconds(r1) - cpuSeconds(r0)
        return Timed(seconds: seconds, cpuUtil: own / seconds,
                     otherLoad: max(0, ((b1 - b0) - own) / seconds),
                     pageFaults: r1.ru_minflt - r0.ru_minflt)
    }
}

func rounded(_ x: Double, _ digits: Int) -> Double {
    let s = pow(10, Double(digits))
    return (x * s).rounded() / s
}

/// The machine's FP32 FMA throughput (see `CPeakFMA`).
enum FMAPeak {
    /// GFLOP/s on `threads` threads, best of 3 runs of 0.25 s: over wall time (all threads
    /// together) and per CPU-second the threads ran (one core's peak, whatever the load).
    static func measure(threads: Int) -> (wall: Double, perCPU: Double) {
        var wall = 0.0, perCPU = 0.0
        peak_fma_measure(Int32(threads), 0.25, 3, &wall, &perCPU)
        return (wall, perCPU)
    }
    static var isa: String { String(cString: peak_fma_isa()) }
}

// MARK: - One configuration

func runBenchmark<T: RealScalar>(_ w: BenchWorkload, threads: Int, steps override: Int?, precision: T.Type) -> String {
    BLASThreads.set(threads)
    let data = BenchData.make(w)
    let x = Matrix<T>(rows: data.x.rows, cols: data.x.cols, values: data.x.values.map { T($0) })
    let y = Matrix<T>(rows: data.y.rows, cols: data.y.cols, values: data.y.values.map { T($0) })
    // The measured peak is float32's; a float64 FMA does half the lanes.
    let lanes = T.self == Double.self ? 0.5 : 1.0
    let net = Network<T>(spec: NetworkSpec(widths: w.widths, hidden: .relu, output: w.output,
                                               initializer: .pytorchDefault), seed: 0)
    let count = override ?? w.count
    func spec(_ epochs: Int) -> TrainingSpec {
        TrainingSpec(optimizer: .adam(learningRate: 1e-3), schedule: .constant, loss: .mse,
                     batchSize: w.minibatch ? w.batch : nil, epochs: epochs, seed: 0)
    }
    // Warm-up: same batch size, so the timed run reuses the workspace it made.
    let t0 = now()
    _ = train(net, x: x, y: y, spec: spec(w.warmup))
    let warmup = now() - t0
    var history: TrainingHistory?
    let peakBefore = FMAPeak.measure(threads: threads)
    let timed = Timed.measure { history = train(net, x: x, y: y, spec: spec(count)) }
    let peakAfter = FMAPeak.measure(threads: threads)
    let peak = lanes * max(peakBefore.wall, peakAfter.wall), peakPerCPU = lanes * max(peakBefore.perCPU, peakAfter.perCPU)
    let steps = count * w.stepsPerEpoch
    let gflopPerStep = 6 * Double(w.macs) * w.pointsPerStep / 1e9
    let gflops = gflopPerStep * Double(steps) / timed.seconds
    let gflopsPerCPU = gflopPerStep * Double(steps) / max(1e-9, timed.cpuUtil * timed.seconds)

    var fields: [(String, String)] = [
        ("framework", "\"mgdl-report\""), ("version", "\"\(benchVersion)\""),
        ("workload", "\"\(w.name)\(T.self == Double.self ? "_f64" : "")\""), ("threads", "\(threads)"), ("steps", "\(steps)"),
        ("seconds", "\(rounded(timed.seconds, 4))"),
        ("steps_per_s", "\(rounded(Double(steps) / timed.seconds, 2))"),
        ("gflop_per_step", "\(rounded(gflopPerStep, 5))"),
        ("gflops", "\(rounded(gflops, 2))"),
        ("fma_peak_gflops", "\(rounded(peak, 1))"), ("fma_isa", "\"\(FMAPeak.isa)\""),
        ("peak_fraction", "\(rounded(gflops / peak, 3))"),
        ("gflops_per_cpu", "\(rounded(gflopsPerCPU, 2))"), ("fma_peak_gflops_per_cpu", "\(rounded(peakPerCPU, 1))"),
        ("peak_fraction_cpu", "\(rounded(gflopsPerCPU / peakPerCPU, 3))"),
        ("warmup_s", "\(rounded(warmup, 3))"),
        ("final_loss", "\(history!.losses.last ?? .nan)"),
        ("cpu_util", "\(rounded(timed.cpuUtil, 2))"), ("other_load", "\(rounded(timed.otherLoad, 2))"),
    ]
    if w.minibatch { fields.append(("epochs", "\(count)")) }
    if w.inferPoints > 0, let full = data.fullCoordinates, let b = data.fourierMatrix, let net = net as? Network<Float> {
        // Features and forward pass in chunks, as the peers' `infer` (features included).
        func infer() {
            let chunk = 8192
            var start = 0
            while start < full.rows {
                let n = min(chunk, full.rows - start)
                _ = net.predict(BenchData.fourierFeatures(full.rows(start..<(start + n)), b))
                start += n
            }
        }
        infer(); infer()
        var times: [Double] = []
        for _ in 0..<w.inferReps {
            let t = now(); infer(); times.append(now() - t)
        }
        let s = times.sorted()[times.count / 2]
        fields.append(("infer_s", "\(rounded(s, 4))"))
        fields.append(("infer_gflops", "\(rounded(2 * Double(w.macs) * Double(full.rows) / s / 1e9, 2))"))
    }
    fields += [
        ("peak_rss_mb", "\(rounded(Double(usage().ru_maxrss) / 1024, 1))"),
        ("page_faults_per_step", "\(rounded(Double(timed.pageFaults) / Double(steps), 1))"),
        ("blas_core", "\"\(BLASThreads.coreName)\""),
        ("precision", "\"\(T.self == Double.self ? "float64" : "float32")\""),
        ("data", "\"SeededGenerator: common.py's shapes and formulas, not numpy's values\""),
    ]
    return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}

/// The tool version for the bench JSON.
#if canImport(ReportSite)
let benchVersion = toolVersion
#else
let benchVersion = "0.1.0"
#endif
