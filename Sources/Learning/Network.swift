import Numerics

/// A feed-forward network of dense layers, trained in place by `train`.
///
/// Storage: all parameters live in one flat, 64-byte-aligned buffer (layer by layer: weights
/// `inputs x outputs` row-major, then biases), the gradients in a second buffer with the same
/// layout, so an optimizer step is one fused loop. Activation and gradient buffers are made once
/// per network and chunk size (`Workspace`) and reused by every step: a training step allocates
/// nothing. Batches larger than `trainingChunk` rows are processed in chunks (see there).
public final class Network<T: RealScalar> {
    /// The layers, input to output.
    public let layers: [LayerSpec]
    /// Total number of weights and biases (plus the adaptive slope, when `options` has one).
    public let parameterCount: Int
    /// The remedies' variations of the dense layers (default: none).
    public let options: NetworkOptions
    /// Index of the adaptive slope a in `parameters` (the last one), nil without it.
    let slopeIndex: Int?
    /// `options.firstLayerUnitScales` in `T`, nil without them.
    let unitScales: AlignedBuffer<T>?

    let parameters: AlignedBuffer<T>
    let gradients: AlignedBuffer<T>
    let weightOffsets: [Int]
    let biasOffsets: [Int]
    var workspaces: [Int: Workspace<T>] = [:]
    /// Data-parallel workers 1..<n (worker 0 uses `workspaces` and `gradients`): per worker a
    /// workspace (keyed by chunk rows) and a gradient buffer, made once and reused.
    var workerWorkspaces: [[Int: Workspace<T>]] = []
    var workerGradients: [AlignedBuffer<T>] = []

    /// A network of the given layers with initialised parameters.
    public init(layers: [LayerSpec], initializer: Initializer = .pytorchDefault, seed: UInt64,
                options: NetworkOptions = NetworkOptions()) {
        precondition(!layers.isEmpty, "Network: no layers")
        if let s = options.firstLayerUnitScales {
            precondition(s.count == layers[0].outputs, "Network: \(s.count) unit scales for a first layer of \(layers[0].outputs) units")
        }
        if let n = options.adaptiveActivationFactor {
            precondition(n > 0 && n.isFinite, "Network: the adaptive activation factor must be positive")
        }
        for i in 1..<max(layers.count, 1) where layers[i].inputs != layers[i - 1].outputs {
            preconditionFailure("Network: layer \(i) takes \(layers[i].inputs) inputs but layer \(i - 1) gives \(layers[i - 1].outputs)")
        }
        self.layers = layers
        var w: [Int] = [], b: [Int] = [], offset = 0
        for l in layers {
            w.append(offset); offset += l.inputs * l.outputs
            b.append(offset); offset += l.outputs
        }
        self.options = options
        slopeIndex = options.adaptiveActivationFactor == nil ? nil : offset
        if slopeIndex != nil { offset += 1 }
        weightOffsets = w; biasOffsets = b; parameterCount = offset
        parameters = AlignedBuffer(count: offset)
        gradients = AlignedBuffer(count: offset)
        if let s = options.firstLayerUnitScales {
            let buffer = AlignedBuffer<T>(count: s.count)
            for (j, v) in s.enumerated() { buffer.pointer[j] = T(v) }
            unitScales = buffer
        } else {
            unitScales = nil
        }
        initialize(initializer, seed: seed)
        // Jagtap et al. start from n·a = 1: the plain activation.
        if let i = slopeIndex, let n = options.adaptiveActivationFactor { parameters.pointer[i] = T(1 / n) }
    }

    /// The adaptive activation's trainable slope a (hidden layers compute f(n·a·z)), nil without it.
    public var adaptiveSlope: Double? { slopeIndex.map { Double(parameters.pointer[$0]) } }

    /// Whether layer `layer`'s activation is adaptive (every hidden layer, not the output layer).
    func isAdaptive(_ layer: Int) -> Bool { slopeIndex != nil && layer < layers.count - 1 }

    /// A multilayer perceptron as described by `spec`.
    public convenience init(spec: NetworkSpec, seed: UInt64) {
        self.init(layers: spec.layers, initializer: spec.initializer, seed: seed)
    }

    /// Input width.
    var inputWidth: Int { layers[0].inputs }
    /// Output width.
    var outputWidth: Int { layers[layers.count - 1].outputs }

    func initialize(_ initializer: Initializer, seed: UInt64) {
        var rng = SeededGenerator(seed: seed)
        let p = parameters.pointer
        for (i, l) in layers.enumerated() {
            let nw = l.inputs * l.outputs
            let w = p + weightOffsets[i], b = p + biasOffsets[i]
            switch initializer {
            case .pytorchDefault:
                let s = 1 / Double(l.inputs).squareRoot()
                for k in 0..<nw { w[k] = T(rng.uniform(-s, s)) }
                for k in 0..<l.outputs { b[k] = T(rng.uniform(-s, s)) }
            case .glorotNormal:
                let s = (2 / Double(l.inputs + l.outputs)).squareRoot()
                for k in 0..<nw { w[k] = T(s * rng.normal()) }
                b.update(repeating: 0, count: l.outputs)
            case .heNormal, .lecunNormal:
                let s = ((initializer == .heNormal ? 2 : 1) / Double(l.inputs)).squareRoot()
                for k in 0..<nw { w[k] = T(s * rng.normal()) }
                b.update(repeating: 0, count: l.outputs)
            }
        }
    }

    // MARK: - Parameters

    /// Clamps every weight-matrix entry among the parameters at flat indices `range` to [−c, c]
    /// (`TrainingSpec.weightClip`); biases and the adaptive slope are left as they are. Exact:
    /// an entry inside the interval keeps its bits. The trainer calls it on the slice each worker
    /// has just updated, so clipping the whole network is `clipWeights(in: 0..<parameterCount, to: c)`.
    func clipWeights(in range: Range<Int>, to c: T) {
        let p = parameters.pointer
        for (i, l) in layers.enumerated() {
            let start = max(range.lowerBound, weightOffsets[i])
            let end = min(range.upperBound, weightOffsets[i] + l.inputs * l.outputs)
            var k = start
            while k < end {
                if p[k] > c { p[k] = c } else if p[k] < -c { p[k] = -c }
                k += 1
            }
        }
    }

    /// The largest |entry| of any weight matrix (biases excluded): at most c after a step with
    /// `weightClip: c`.
    public var largestWeightMagnitude: Double {
        var largest = 0.0
        for (i, l) in layers.enumerated() {
            let w = parameters.pointer + weightOffsets[i]
            for k in 0..<(l.inputs * l.outputs) { largest = max(largest, abs(Double(w[k]))) }
        }
        return largest
    }

    /// The largest |bias| of any layer.
    public var largestBiasMagnitude: Double {
        var largest = 0.0
        for (i, l) in layers.enumerated() {
            let b = parameters.pointer + biasOffsets[i]
            for k in 0..<l.outputs { largest = max(largest, abs(Double(b[k]))) }
        }
        return largest
    }

    /// The weights of layer `layer`, inputs x outputs (the transpose of PyTorch's `weight`).
    func weights(layer: Int) -> Matrix<T> {
        let l = layers[layer]
        return Matrix(rows: l.inputs, cols: l.outputs) { out in
            copyElements(from: parameters.pointer + weightOffsets[layer], to: out.baseAddress!, count: l.inputs * l.outputs)
        }
    }

    /// The spectral norm (largest singular value) of layer `layer`'s weight matrix, by
    /// `iterations` steps of power iteration on WᵀW from the all-ones vector, in Double (as
    /// Rahaman et al.'s notebook, 10 iterations). For a layer with one input or one output the
    /// matrix is a vector and one iteration gives its Euclidean norm exactly; otherwise the
    /// estimate is a lower bound that converges geometrically with the ratio (σ₂/σ₁)².
    ///
    /// Specialised for Float and Double and run on raw buffers: `record_norms` calls it for every
    /// layer at every recorded step, and the generic, array-bound version made the Rahaman run
    /// (5 hidden layers of 256, `record_every: 100`) 48% slower (`mgdl-report bench recording`);
    /// the arithmetic, and so every bit of the result, is unchanged.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    public func spectralNorm(layer: Int, iterations: Int = 10) -> Double {
        let l = layers[layer]
        let rows = l.inputs, cols = l.outputs
        // The weights in Double, once (the products below read them 2 x iterations + 1 times).
        let w = UnsafeMutablePointer<Double>.allocate(capacity: rows * cols)
        let v = UnsafeMutablePointer<Double>.allocate(capacity: cols)
        let u = UnsafeMutablePointer<Double>.allocate(capacity: rows)
        defer { w.deallocate(); v.deallocate(); u.deallocate() }
        let weights = parameters.pointer + weightOffsets[layer]
        for k in 0..<(rows * cols) { w[k] = Double(weights[k]) }
        v.initialize(repeating: 1 / Double(cols).squareRoot(), count: cols)
        u.initialize(repeating: 0, count: rows)
        var sigma = 0.0
        for _ in 0..<max(1, iterations) {
            // u = W v, σ = |u|, v = Wᵀ u / |Wᵀ u|
            for i in 0..<rows {
                var s = 0.0
                let row = w + i * cols
                for j in 0..<cols { s += row[j] * v[j] }
                u[i] = s
            }
            var uu = 0.0
            for i in 0..<rows { uu += u[i] * u[i] }
            sigma = uu.squareRoot()
            guard sigma > 0 else { return 0 }
            for j in 0..<cols { v[j] = 0 }
            for i in 0..<rows {
                let row = w + i * cols, ui = u[i]
                for j in 0..<cols { v[j] += row[j] * ui }
            }
            var vv = 0.0
            for j in 0..<cols { vv += v[j] * v[j] }
            let norm = vv.squareRoot()
            guard norm > 0 else { return sigma }
            for j in 0..<cols { v[j] /= norm }
        }
        // σ = |W v| for the final (normalised) v.
        var s2 = 0.0
        for i in 0..<rows {
            var s = 0.0
            let row = w + i * cols
            for j in 0..<cols { s += row[j] * v[j] }
            s2 += s * s
        }
        return max(sigma, s2.squareRoot())
    }

    /// The biases of layer `layer`.
    func bias(layer: Int) -> [T] {
        let n = layers[layer].outputs
        return [T](unsafeUninitializedCapacity: n) { buffer, count in
            copyElements(from: parameters.pointer + biasOffsets[layer], to: buffer.baseAddress!, count: n)
            count = n
        }
    }

    /// Replaces the parameters of layer `layer` (weights inputs x outputs).
    func setParameters(layer: Int, weights: Matrix<T>, bias: [T]) {
        let l = layers[layer]
        precondition(weights.rows == l.inputs && weights.cols == l.outputs && bias.count == l.outputs,
                     "Network.setParameters: layer \(layer) is \(l.inputs)x\(l.outputs)")
        weights.withUnsafeBufferPointer {
            copyElements(from: $0.baseAddress!, to: parameters.pointer + weightOffsets[layer], count: $0.count)
        }
        bias.withUnsafeBufferPointer {
            copyElements(from: $0.baseAddress!, to: parameters.pointer + biasOffsets[layer], count: $0.count)
        }
    }

    /// Every weight and bias in storage order (layer by layer: the weights, inputs x outputs
    /// row-major, then the biases); setting it replaces them all (the count must match).
    public var flatParameters: [T] {
        get { Array(UnsafeBufferPointer(start: parameters.pointer, count: parameterCount)) }
        set {
            precondition(newValue.count == parameterCount, "Network.flatParameters: expected \(parameterCount) values, found \(newValue.count)")
            newValue.withUnsafeBufferPointer { copyElements(from: $0.baseAddress!, to: parameters.pointer, count: parameterCount) }
        }
    }

    /// Frees the cached activation and gradient buffers (they are rebuilt on demand).
    func releaseBuffers() {
        workspaces = [:]
        workerWorkspaces = []
        workerGradients = []
    }

    // MARK: - Inference

    /// Rows processed per chunk by `predict` and `lastHiddenFeatures` (bounds their memory).
    static var inferenceChunk: Int { 4096 }

    /// Rows per chunk of a training step: a batch larger than this is processed in chunks
    /// (forward, loss gradient and backward per chunk, parameter gradients accumulated), so the
    /// activations of a chunk stay in the core's L2 cache between the matrix product and the
    /// elementwise passes, and the workspace does not grow with the batch. Products of 1024 rows
    /// still run BLAS at full speed. With n > 1 BLAS threads the chunk is 4n times larger.
    var trainingChunk = 1024

    /// The network's output for every row of `x`.
    public func predict(_ x: Matrix<T>) -> Matrix<T> {
        outputs(of: layers.count - 1, x)
    }

    /// The output of the last hidden layer (after its activation) for every row of `x`: the
    /// features a next MGDL grade trains on. For a one-layer network, `x` itself.
    func lastHiddenFeatures(_ x: Matrix<T>) -> Matrix<T> {
        layers.count < 2 ? x : outputs(of: layers.count - 2, x)
    }

    /// The output of layer `layer` (after its activation) for every row of `x`.
    func outputs(of layer: Int, _ x: Matrix<T>) -> Matrix<T> {
        precondition(x.cols == inputWidth, "Network: input has \(x.cols) columns, the network takes \(inputWidth)")
        precondition(layer >= 0 && layer < layers.count, "Network: no layer \(layer)")
        let width = layers[layer].outputs
        let chunk = min(max(x.rows, 1), Self.inferenceChunk)
        // Reuse a cached (training) workspace that is big enough, else make a chunk-sized one.
        let ws = workspaces.filter { $0.key >= chunk }.min { $0.key < $1.key }?.value ?? workspace(rows: chunk)
        return Matrix(rows: x.rows, cols: width) { out in
            x.withUnsafeBufferPointer { xb in
                var start = 0
                while start < x.rows {
                    let n = min(chunk, x.rows - start)
                    forward(ws, input: xb.baseAddress! + start * inputWidth, rows: n, through: layer)
                    copyElements(from: ws.outputs[layer].pointer, to: out.baseAddress! + start * width, count: n * width)
                    start += n
                }
            }
        }
    }

    // MARK: - Engine

    /// The buffers for batches of up to `rows` rows, made once and cached.
    func workspace(rows: Int) -> Workspace<T> {
        if let ws = workspaces[rows] { return ws }
        let ws = Workspace<T>(layers: layers, rows: rows, adaptive: slopeIndex != nil)
        workspaces[rows] = ws
        return ws
    }

    /// The workspace and gradient buffer of data-parallel worker `worker` (>= 1), made once.
    func workerBuffers(_ worker: Int, rows: Int) -> (Workspace<T>, AlignedBuffer<T>) {
        while workerWorkspaces.count < worker { workerWorkspaces.append([:]) }
        while workerGradients.count < worker { workerGradients.append(AlignedBuffer(count: parameterCount)) }
        let ws = workerWorkspaces[worker - 1][rows] ?? Workspace<T>(layers: layers, rows: rows, adaptive: slopeIndex != nil)
        workerWorkspaces[worker - 1][rows] = ws
        return (ws, workerGradients[worker - 1])
    }

    /// Forward pass of `rows` rows through layers 0...last into `ws.outputs`.
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func forward(_ ws: Workspace<T>, input: UnsafePointer<T>, rows: Int, through last: Int) {
        let p = parameters.pointer
        var x = input
        for l in 0...last {
            let spec = layers[l]
            let out = ws.outputs[l].pointer
            let w = p + weightOffsets[l]
            if spec.outputs == 1 {
                gemv(transpose: false, m: rows, n: spec.inputs, alpha: 1, a: x, lda: spec.inputs,
                     x: w, beta: 0, y: out)
            } else {
                gemm(transposeA: false, transposeB: false, m: rows, n: spec.outputs, k: spec.inputs,
                     alpha: 1, a: x, lda: spec.inputs, b: w, ldb: spec.outputs,
                     beta: 0, c: out, ldc: spec.outputs)
            }
            if l == 0, let s = unitScales { scaleColumns(out, rows: rows, cols: spec.outputs, by: s.pointer) }
            if isAdaptive(l), let slope = slopeIndex {
                // z = xW + b kept for the slope's gradient; a = f(c·z), c = n·a.
                let z = ws.adaptiveInputs[l]!.pointer
                biasActivate(out, pre: nil, rows: rows, cols: spec.outputs, bias: p + biasOffsets[l], activation: .identity)
                copyElements(from: out, to: z, count: rows * spec.outputs)
                let c = T(options.adaptiveActivationFactor!) * p[slope]
                scaleElements(out, count: rows * spec.outputs, by: c)
                biasActivate(out, pre: ws.preactivations[l]?.pointer, rows: rows, cols: spec.outputs,
                             bias: ws.zeros.pointer, activation: spec.activation)
            } else {
                biasActivate(out, pre: ws.preactivations[l]?.pointer, rows: rows, cols: spec.outputs,
                             bias: p + biasOffsets[l], activation: spec.activation)
            }
            x = UnsafePointer(out)
        }
    }

    /// Backward pass: `ws.gradA` holds dL/d(output) (rows x output width) on entry; on exit
    /// `gradients` holds dL/dθ (with `accumulate`, dL/dθ is added to it: chunked batches).
    /// If `inputGradient` is given it receives dL/dx. `into` redirects dL/dθ to another buffer
    /// of the same layout (a data-parallel worker's own gradients).
    @_specialize(where T == Float)
    @_specialize(where T == Double)
    func backward(_ ws: Workspace<T>, input: UnsafePointer<T>, rows: Int,
                  inputGradient: UnsafeMutablePointer<T>? = nil, accumulate: Bool = false,
                  into gradientBuffer: UnsafeMutablePointer<T>? = nil) {
        let beta: T = accumulate ? 1 : 0
        let p = parameters.pointer, gp = gradientBuffer ?? gradients.pointer
        var g = ws.gradA.pointer, other = ws.gradB.pointer
        if let slope = slopeIndex, !accumulate { gp[slope] = 0 }
        for l in stride(from: layers.count - 1, through: 0, by: -1) {
            let spec = layers[l]
            let x = l == 0 ? input : UnsafePointer(ws.outputs[l - 1].pointer)
            if isAdaptive(l), let slope = slopeIndex {
                // a = f(c·z), c = n·a: dL/d(c·z) = g·f'(c·z); dL/dz = c·that; dL/da += n·Σ dL/d(c·z)·z.
                activationBackward(g, out: ws.outputs[l].pointer, pre: ws.preactivations[l].map { UnsafePointer($0.pointer) },
                                   rows: rows, cols: spec.outputs, activation: spec.activation,
                                   biasGrad: ws.zeros.pointer + ws.zeros.count / 2)
                let n = T(options.adaptiveActivationFactor!)
                gp[slope] += n * dotElements(g, ws.adaptiveInputs[l]!.pointer, count: rows * spec.outputs)
                scaleElements(g, count: rows * spec.outputs, by: n * p[slope])
                columnSums(g, rows: rows, cols: spec.outputs, into: gp + biasOffsets[l], accumulate: accumulate)
            } else {
                activationBackward(g, out: ws.outputs[l].pointer, pre: ws.preactivations[l].map { UnsafePointer($0.pointer) },
                                   rows: rows, cols: spec.outputs, activation: spec.activation,
                                   biasGrad: gp + biasOffsets[l], accumulate: accumulate)
            }
            // z = s ∘ (xW) + b in the first layer: d(xW) = dz ∘ s.
            if l == 0, let s = unitScales { scaleColumns(g, rows: rows, cols: spec.outputs, by: s.pointer) }
            // dW = xᵀ · dZ   (inputs x outputs)
            if spec.outputs == 1 {
                gemv(transpose: true, m: rows, n: spec.inputs, alpha: 1, a: x, lda: spec.inputs,
                     x: g, beta: beta, y: gp + weightOffsets[l])
            } else {
                gemm(transposeA: true, transposeB: false, m: spec.inputs, n: spec.outputs, k: rows,
                     alpha: 1, a: x, lda: spec.inputs, b: g, ldb: spec.outputs,
                     beta: beta, c: gp + weightOffsets[l], ldc: spec.outputs)
            }
            // dX = dZ · Wᵀ   (rows x inputs)
            let target: UnsafeMutablePointer<T>? = l > 0 ? other : inputGradient
            if let target {
                gemm(transposeA: false, transposeB: true, m: rows, n: spec.inputs, k: spec.outputs,
                     alpha: 1, a: g, lda: spec.outputs, b: p + weightOffsets[l], ldb: spec.outputs,
                     beta: 0, c: target, ldc: spec.inputs)
            }
            swap(&g, &other)
        }
    }
}

/// The activation and gradient buffers for batches of up to `capacity` rows.
final class Workspace<T: RealScalar> {
    let capacity: Int
    /// Per layer: a = f(z), capacity x outputs.
    let outputs: [AlignedBuffer<T>]
    /// Per layer: z, for activations whose derivative needs it (sin), else nil.
    let preactivations: [AlignedBuffer<T>?]
    /// Ping-pong gradient buffers, capacity x (widest layer output).
    let gradA: AlignedBuffer<T>
    let gradB: AlignedBuffer<T>
    /// Minibatch inputs and targets (allocated on first use).
    var batchInputs: AlignedBuffer<T>?
    var batchTargets: AlignedBuffer<T>?
    /// Adaptive activations: per hidden layer z = xW + b (before the factor n·a), else nil.
    let adaptiveInputs: [AlignedBuffer<T>?]
    /// Zeros (the bias of an adaptive layer's activation pass), then scratch: 2 x widest.
    let zeros: AlignedBuffer<T>

    init(layers: [LayerSpec], rows: Int, adaptive: Bool = false) {
        capacity = rows
        outputs = layers.map { AlignedBuffer(count: rows * $0.outputs) }
        preactivations = layers.map { $0.activation.needsPreactivation ? AlignedBuffer(count: rows * $0.outputs) : nil }
        let widest = layers.map(\.outputs).max()!
        gradA = AlignedBuffer(count: rows * widest)
        gradB = AlignedBuffer(count: rows * widest)
        adaptiveInputs = layers.indices.map { l in adaptive && l < layers.count - 1 ? AlignedBuffer(count: rows * layers[l].outputs) : nil }
        zeros = AlignedBuffer(count: adaptive ? 2 * widest : 0)   // zero-initialised
    }
}
