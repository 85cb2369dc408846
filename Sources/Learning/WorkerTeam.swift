#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Work a `WorkerTeam` runs: `run(worker:phase:)` is called once per worker (0..<size) for
/// every `perform(phase:)`, worker 0 on the calling thread.
protocol TeamJob: AnyObject {
    func run(worker: Int, phase: Int)
}

/// `size - 1` long-lived helper threads plus the calling thread, for the data-parallel training
/// step. `perform(phase:)` runs the job's phase on every worker and returns when all are done
/// (a barrier). A step needs two of them, ~2-3 ms apart on W1, so the hand-off is a spin on an
/// atomic counter (well under a microsecond) rather than a condition variable (several
/// microseconds per wake-up); a helper that has spun for a while without work (snapshots,
/// progress callbacks, the end of training) sleeps on a condition variable instead.
/// Nothing is allocated per `perform`.
final class WorkerTeam: @unchecked Sendable {
    let size: Int
    /// Bumped by `perform` to start a phase; helpers wait for it to change.
    private let epoch = Atomic<Int>(0)
    /// Helpers that finished the current phase.
    private let finished = Atomic<Int>(0)
    /// Helpers asleep (or about to sleep) on `wake`.
    private let sleepers = Atomic<Int>(0)
    private var phase = 0
    private var stopping = false
    private unowned(unsafe) var job: TeamJob
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private var threads: [pthread_t] = []

    init(size: Int, job: TeamJob) {
        precondition(size >= 2, "WorkerTeam: needs at least two workers")
        self.size = size
        self.job = job
        mutex = .allocate(capacity: 1); pthread_mutex_init(mutex, nil)
        wake = .allocate(capacity: 1); pthread_cond_init(wake, nil)
        for worker in 1..<size {
            let context = Unmanaged.passRetained(HelperContext(team: self, worker: worker)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(&thread, nil, { raw in
                let context = Unmanaged<HelperContext>.fromOpaque(raw!).takeRetainedValue()
                context.team.helperLoop(worker: context.worker)
                return nil
            }, context)
            precondition(status == 0, "WorkerTeam: pthread_create failed (\(status))")
            threads.append(thread)
        }
    }

    /// Stops and joins the helpers. Must be called before the team is dropped.
    func shutDown() {
        stopping = true
        signalPhase()
        for t in threads { pthread_join(t, nil) }
        threads = []
        pthread_cond_destroy(wake); wake.deallocate()
        pthread_mutex_destroy(mutex); mutex.deallocate()
    }

    /// Runs `phase` on every worker and returns when all have finished it.
    func perform(phase: Int) {
        self.phase = phase
        finished.store(0, ordering: .sequentiallyConsistent)
        signalPhase()
        job.run(worker: 0, phase: phase)
        var spins = 0
        while finished.load(ordering: .acquiring) < size - 1 {
            spins += 1
            if spins > 4096 { sched_yield() }   // a helper descheduled by a time-sliced vCPU
        }
    }

    private func signalPhase() {
        epoch.add(1, ordering: .sequentiallyConsistent)
        if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
            pthread_mutex_lock(mutex); pthread_cond_broadcast(wake); pthread_mutex_unlock(mutex)
        }
    }

    private func helperLoop(worker: Int) {
        var seen = 0
        while true {
            var spins = 0
            while epoch.load(ordering: .acquiring) == seen {
                spins += 1
                if spins > 200_000 {
                    // Idle for a while (~1 ms): sleep until the next phase.
                    pthread_mutex_lock(mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while epoch.load(ordering: .sequentiallyConsistent) == seen { pthread_cond_wait(wake, mutex) }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(mutex)
                } else if spins > 20_000 {
                    sched_yield()
                }
            }
            seen = epoch.load(ordering: .acquiring)
            if stopping { return }
            job.run(worker: worker, phase: phase)
            finished.add(1, ordering: .releasing)
        }
    }

    private final class HelperContext {
        let team: WorkerTeam
        let worker: Int
        init(team: WorkerTeam, worker: Int) { self.team = team; self.worker = worker }
    }
}
