import CLBFGS
import Numerics

/// What an L-BFGS refinement did (`refineWithLBFGS`).
public struct LBFGSOutcome: Sendable, Equatable {
    /// Full-batch loss after each accepted iteration (the loss before the first is not included).
    public var losses: [Double]
    /// Evaluations of the loss and gradient (line-search trials included).
    public var evaluations: Int
    /// libLBFGS's status code: 0 converged, 1 stopped (the loss stopped falling: `past`/`delta`),
    /// 2 already minimal, negative an error or a limit (-997 the iteration limit, -1001 a
    /// rounding-error line search, which is how runs at machine precision usually end).
    public var status: Int32
}

/// Minimises the full-batch `loss` of `network` on (x, y) over all of its parameters with
/// L-BFGS (libLBFGS, Okazaki's C port of Nocedal's L-BFGS, More–Thuente line search by default;
/// `memory` corrections). Stops after `iterations` iterations, when ‖g‖ ≤ `gradientTolerance`·
/// max(1, ‖θ‖), when the line search can no longer decrease the loss (rounding), or (with
/// `maxEvaluations`) at the end of the iteration during which the loss and gradient evaluations
/// reached that number (so at most one line search's evaluations, 40, beyond it). The
/// parameters are optimised in Double (for `T == Float` they are rounded to Float at every
/// evaluation, so the loss is that of the Float network) and the network keeps the last point
/// libLBFGS returns (its best). Deterministic: no randomness; the gradient of a batch larger
/// than `trainingChunk` rows is summed chunk by chunk in a fixed order.
@discardableResult
public func refineWithLBFGS<T: RealScalar>(_ network: Network<T>, x: Matrix<T>, y: Matrix<T>, loss: Loss,
                                           iterations: Int, maxEvaluations: Int? = nil, memory: Int = 10,
                                           gradientTolerance: Double = 1e-14) -> LBFGSOutcome {
    precondition(iterations > 0, "L-BFGS: need a positive iteration count")
    precondition(x.rows == y.rows && x.cols == network.inputWidth && y.cols == network.outputWidth,
                 "L-BFGS: data shape does not fit the network")
    let problem = LBFGSProblem(network: network, x: x, y: y, loss: loss)
    problem.maxEvaluations = maxEvaluations ?? Int.max
    let n = network.parameterCount
    guard let theta = lbfgs_malloc(Int32(n)) else { preconditionFailure("L-BFGS: out of memory") }
    defer { lbfgs_free(theta) }
    for i in 0..<n { theta[i] = Double(network.parameters.pointer[i]) }
    var parameters = lbfgs_parameter_t()
    lbfgs_parameter_init(&parameters)
    parameters.m = Int32(memory)
    parameters.max_iterations = Int32(iterations)
    parameters.epsilon = gradientTolerance
    parameters.max_linesearch = 40
    var fx = 0.0
    let context = Unmanaged<LBFGSObjective>.passUnretained(problem).toOpaque()
    let status = lbfgs(Int32(n), theta, &fx, { instance, theta, gradient, n, _ in
        let problem = Unmanaged<LBFGSObjective>.fromOpaque(instance!).takeUnretainedValue()
        return problem.evaluate(theta!, gradient!, Int(n))
    }, { instance, _, _, fx, _, _, _, _, _, _ in
        let problem = Unmanaged<LBFGSObjective>.fromOpaque(instance!).takeUnretainedValue()
        problem.losses.append(fx)
        return problem.evaluations >= problem.maxEvaluations ? 1 : 0
    }, context, &parameters)
    // libLBFGS leaves `theta` at its best point; the network may hold a line-search trial.
    for i in 0..<n { network.parameters.pointer[i] = T(theta[i]) }
    network.releaseBuffers()
    return LBFGSOutcome(losses: problem.losses, evaluations: problem.evaluations, status: status)
}

/// An objective for libLBFGS's C callbacks (which cannot capture a generic type): the loss
/// history and the evaluation, overridden by `LBFGSProblem`.
class LBFGSObjective {
    var losses: [Double] = []
    var evaluations = 0
    /// Stop once an iteration ends with at least this many evaluations.
    var maxEvaluations = Int.max

    /// Writes dL/dθ at `theta` to `gradient`, returns L.
    func evaluate(_ theta: UnsafePointer<Double>, _ gradient: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
        preconditionFailure("LBFGSObjective.evaluate is abstract")
    }
}

/// The loss and gradient of one network on a whole data set, for libLBFGS's callback.
final class LBFGSProblem<T: RealScalar>: LBFGSObjective {
    let network: Network<T>
    let x: Matrix<T>
    let y: Matrix<T>
    let loss: Loss

    init(network: Network<T>, x: Matrix<T>, y: Matrix<T>, loss: Loss) {
        self.network = network; self.x = x; self.y = y; self.loss = loss
    }

    /// Sets the network's parameters to `theta`, writes dL/dθ to `gradient`, returns L.
    override func evaluate(_ theta: UnsafePointer<Double>, _ gradient: UnsafeMutablePointer<Double>, _ n: Int) -> Double {
        evaluations += 1
        let p = network.parameters.pointer
        for i in 0..<n { p[i] = T(theta[i]) }
        let value = fullBatchGradient(network, x: x, y: y, loss: loss)
        let g = network.gradients.pointer
        for i in 0..<n { gradient[i] = Double(g[i]) }
        return value
    }
}

/// The loss of `network` on all of (x, y) and its gradient in `network.gradients`, computed in
/// chunks of at most `trainingChunk` rows (the gradient of the whole batch; the same arithmetic
/// as one full-batch step of `train`, without the update).
func fullBatchGradient<T: RealScalar>(_ network: Network<T>, x: Matrix<T>, y: Matrix<T>, loss: Loss) -> Double {
    let rows = x.rows
    let ws = network.workspace(rows: min(rows, network.trainingChunk))
    let last = network.layers.count - 1
    let inW = network.inputWidth, outW = network.outputWidth
    var value = 0.0
    x.withUnsafeBufferPointer { xb in
        y.withUnsafeBufferPointer { yb in
            var start = 0
            while start < rows {
                let m = min(ws.capacity, rows - start)
                network.forward(ws, input: xb.baseAddress! + start * inW, rows: m, through: last)
                value += lossAndGradient(ws.outputs[last].pointer, yb.baseAddress! + start * outW, count: m * outW,
                                         of: rows * outW, loss: loss, grad: ws.gradA.pointer)
                network.backward(ws, input: xb.baseAddress! + start * inW, rows: m, accumulate: start > 0)
                start += m
            }
        }
    }
    return value
}
