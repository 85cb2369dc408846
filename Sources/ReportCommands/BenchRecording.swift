import Experiments
import Foundation
import Numerics
#if canImport(Glibc)
import Glibc
#endif

// Bench workloads of the report runner (not the peers'): the cost of recording snapshots, and of
// repeats. Both train the network of reports/rahaman-spectral-bias.md (1-256x5-1 ReLU, 200
// points, ten sines at k = 5..50, Adam 3e-4, full batch) through `Runner.run`, as a build does.

/// The Rahaman experiment with `train` lines added (and `extra` top-level lines).
func rahamanBenchSpecs(steps: Int, train: String = "", extra: String = "") -> [ExperimentSpec] {
    let text = """
    ---
    title: "bench"
    ---

    ```experiment rahaman
    method: mlp
    seed: 0
    task:
      kind: sum_of_sines
      frequencies: {from: 5, to: 50, step: 5}
      amplitudes: 1
      phases: {seed: 0}
      points: 200
    model:
      widths: [1, 256, 256, 256, 256, 256, 1]
      activation: relu
      init: pytorch_default
    train:
      optimizer: adam
      lr: 3.0e-4
      steps: \(steps)
      batch: full
    \(train)
    \(extra)
    ```
    """
    let (report, problems) = ReportLoader.parse(text: text, id: "bench", file: "bench.md", profile: "")
    guard problems.isEmpty, let report else {
        FileHandle.standardError.write(Data("bench: invalid benchmark spec: \(problems)\n".utf8))
        exit(70)
    }
    return report.experiments
}

/// CPU seconds of the calling thread.
func threadCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// `bench recording`: the Rahaman run trained without recording, with `record_every: 100`
/// (compact: the spectrum at the target's ten frequencies, as the report records), and with the
/// layers' spectral norms too (`record_norms`, as the report also asks). Each variant is trained
/// three times, interleaved, and timed by the CPU time of the training thread on 1 thread (wall
/// time otherwise); the overhead is the ratio of the fastest of each, minus one. A loaded
/// machine inflates all three alike, so the ratio is what to read.
func recordingOverhead(threads: Int, steps override: Int?) -> String {
    BLASThreads.set(threads)
    let steps = override ?? 1000
    let none = rahamanBenchSpecs(steps: steps)[0]
    let spectra = rahamanBenchSpecs(steps: steps, train: "  record_every: 100\n  keep_predictions: [\(steps)]")[0]
    let norms = rahamanBenchSpecs(steps: steps, train: "  record_every: 100\n  keep_predictions: [\(steps)]\n  record_norms: true")[0]
    _ = Runner.run(rahamanBenchSpecs(steps: 20)[0])   // warm-up
    var best = [Double](repeating: .infinity, count: 3)
    var losses: [[Double]] = [[], [], []]
    let clock: () -> Double = threads == 1 ? threadCPUSeconds : now
    for _ in 0..<3 {
        for (i, spec) in [none, spectra, norms].enumerated() {
            let t0 = clock()
            let result = Runner.run(spec)
            best[i] = min(best[i], clock() - t0)
            losses[i] = result.losses
        }
    }
    let fields: [(String, String)] = [
        ("framework", "\"mgdl-report\""), ("version", "\"\(benchVersion)\""), ("workload", "\"recording\""),
        ("threads", "\(threads)"), ("steps", "\(steps)"), ("record_every", "100"),
        ("clock", threads == 1 ? "\"thread_cpu\"" : "\"wall\""),
        ("seconds_none", "\(rounded(best[0], 4))"), ("seconds_spectra", "\(rounded(best[1], 4))"),
        ("seconds_spectra_norms", "\(rounded(best[2], 4))"),
        ("recording_overhead_pct", "\(rounded(100 * (best[1] / best[0] - 1), 2))"),
        ("recording_norms_overhead_pct", "\(rounded(100 * (best[2] / best[0] - 1), 2))"),
        ("same_losses", "\(losses[0] == losses[1] && losses[0] == losses[2])"),
    ]
    return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}

/// `bench repeats`: the ten copies of a `repeat: 10` Rahaman experiment (a short run: 300
/// steps), trained (a) one after the other on `threads` threads each, as `build -j 1` trains them
/// on a machine with that many CPUs, (b) one after the other on 1 thread each, and (c) `threads`
/// at a time on 1 thread each, as `build -j threads` does. Wall times; `repeats_ratio` is (c)
/// over (a): below 1, running the copies side by side beats giving each run every thread. Every
/// copy of (c) must give the bits of its (b) run (`same_bits`).
func repeatsCost(threads: Int, steps override: Int?) -> String {
    let steps = override ?? 300
    let copies = rahamanBenchSpecs(steps: steps, extra: "repeat: 10")
    precondition(copies.count == 10)
    BLASThreads.set(1)
    _ = Runner.run(rahamanBenchSpecs(steps: 20)[0])   // warm-up
    func sequential(_ t: Int) -> (Double, [[Double]]) {
        BLASThreads.set(t)
        let t0 = now()
        let losses = copies.map { Runner.run($0).losses }
        return (now() - t0, losses)
    }
    let (wide, _) = sequential(threads)
    let (narrow, narrowLosses) = sequential(1)
    BLASThreads.set(1)
    var sideBySide = [[Double]](repeating: [], count: copies.count)
    let lock = NSLock()
    var next = 0
    let t0 = now()
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        while true {
            lock.lock()
            let i = next
            next += 1
            lock.unlock()
            guard i < copies.count else { return }
            let losses = Runner.run(copies[i]).losses
            lock.lock(); sideBySide[i] = losses; lock.unlock()
        }
    }
    let concurrent = now() - t0
    let fields: [(String, String)] = [
        ("framework", "\"mgdl-report\""), ("version", "\"\(benchVersion)\""), ("workload", "\"repeats\""),
        ("threads", "\(threads)"), ("steps", "\(steps)"), ("copies", "\(copies.count)"),
        ("seconds_sequential_threads", "\(rounded(wide, 3))"), ("seconds_sequential_1", "\(rounded(narrow, 3))"),
        ("seconds_side_by_side", "\(rounded(concurrent, 3))"),
        ("repeats_ratio", "\(rounded(concurrent / wide, 3))"),
        ("same_bits", "\(sideBySide == narrowLosses)"),
    ]
    return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
}
