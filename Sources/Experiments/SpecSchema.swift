import Foundation
import Learning
import Tasks

/// The report format's schema: every key of every block, its type and meaning. The reader checks
/// keys against it and `mgdl-report schema` prints it as JSON Schema, so the two cannot drift.
public enum SpecSchema {
    struct Key {
        let name: String
        let type: String
        let description: String
        var choices: [String] = []
    }

    static let sections: [(path: String, description: String, keys: [Key])] = [
        ("front_matter", "YAML front matter of a report notebook", [
            Key(name: "version", type: "integer", description: "report format version (this build reads \(reportFormatVersion))"),
            Key(name: "title", type: "string", description: "page title"),
            Key(name: "summary", type: "string", description: "one sentence for the index page"),
            Key(name: "thumbnail", type: "string", description: "name of the figure shown on the index page"),
            Key(name: "authors", type: "string", description: "free text"),
            Key(name: "references", type: "array", description: "papers the report cites: a list of {key, type, authors, title, year, venue, url, doi, note}; cite one in the prose as [@key]"),
            Key(name: "run_groups", type: "object", description: "named sets of runs that claims and built values can name: NAME: [runs or * patterns] or NAME: {runs: [...], except: [...]}; an entry may name a group declared above"),
        ]),
        ("experiment", "```experiment NAME block: one training, or one per sweep point", [
            Key(name: "method", type: "string", description: "the learning method (default mlp)", choices: MethodKind.words),
            Key(name: "seed", type: "integer", description: "initialisation and minibatch order"),
            Key(name: "task", type: "object", description: "the target function and the data split"),
            Key(name: "model", type: "object", description: "the network(s); keys depend on the method"),
            Key(name: "features", type: "object", description: "input mapping in front of the method (Tancik et al.)"),
            Key(name: "train", type: "object", description: "optimizer, learning rate, budget"),
            Key(name: "profiles", type: "object", description: "named overlays (quick, paper, ...) deep-merged onto the block"),
            Key(name: "sweep", type: "object", description: "grid (cartesian) and zip (lockstep) lists of values by dotted key"),
            Key(name: "repeat", type: "integer", description: "train N copies with seeds seed, seed+1, ... (and phase seeds, where drawn, and noise seeds: each copy fits its own random signal); figures and tables show their mean"),
        ]),
        ("experiment.task", "the target λ(x) and its samples", [
            Key(name: "kind", type: "string", description: "sum of sines, a formula in x, a 1/f^α signal (power_law: power ∝ k^(−α); band_limited_power_law: Tancik et al.'s amplitude (1 + k)^(−α) below points/4, min–max normalised), a δ-spike on the grid (delta_spike: Rahaman et al.'s App. A.5), one signal of Tancik et al.'s Fig. 5 ensembles (power_law_ensemble: amplitude (1 + |k|)^(−α) in every bin, the ensemble min–max normalised together), an image, or a dataset", choices: TaskKind.words),
            Key(name: "formula", type: "string", description: "kind formula: e.g. cos(8*sin(6*pi*x))"),
            Key(name: "frequencies", type: "array", description: "integer frequencies κⱼ, or {from, to, step} (delta_spike, optional: the frequencies at which its spectrum is recorded)"),
            Key(name: "center", type: "number", description: "delta_spike: where the spike is, in [0, 1) (default 0.5); it sits at the grid point nearest it"),
            Key(name: "height", type: "number", description: "delta_spike: its value there (default 1); 0 at every other grid point"),
            Key(name: "amplitudes", type: "string", description: "a number, a list, or a profile", choices: AmplitudeProfile.named.map(\.rawValue)),
            Key(name: "phases", type: "array", description: "phases in radians, or {seed: N} for uniform random phases"),
            Key(name: "split", type: "string", description: "grid: train and evaluate on the grid; mgdl: plus uniform validation and test sets; interleaved: train on every stride-th grid point, test on the others", choices: TaskSplit.words),
            Key(name: "stride", type: "integer", description: "interleaved split: train on grid points 0, c, 2c, ... (c = stride), test on the others"),
            Key(name: "points", type: "integer", description: "equispaced training points on [0, 1)"),
            Key(name: "validation", type: "integer", description: "mgdl split: validation points"),
            Key(name: "test", type: "integer", description: "mgdl split: test points"),
            Key(name: "validation_seed", type: "integer", description: "mgdl split: seed of the validation points"),
            Key(name: "test_seed", type: "integer", description: "mgdl split: seed of the test points"),
            Key(name: "generator", type: "string", description: "generator of random phases and validation/test points: ours (xoshiro256**) or NumPy's legacy RandomState(seed) (MT19937), bit for bit as the papers' code draws them",
                choices: TaskGenerator.words),
            Key(name: "manifold", type: "object", description: "{q: Q}: inputs γ_q(t) = (1 + sin(2πqt)/2)(cos 2πt, sin 2πt) instead of t"),
            Key(name: "exponent", type: "number", description: "power_law, band_limited_power_law, power_law_ensemble: α of the 1/f^α spectrum"),
            Key(name: "max_frequency", type: "integer", description: "power_law: highest frequency"),
            Key(name: "noise_seed", type: "integer", description: "power_law, band_limited_power_law: seed of the random coefficients (copy i of a repeat: noise_seed + i); power_law_ensemble: seed of the whole ensemble"),
            Key(name: "signals", type: "integer", description: "power_law_ensemble: the ensemble's size (its signals are normalised together)"),
            Key(name: "signal", type: "integer", description: "power_law_ensemble: which of its signals is the target, 0-based (default 0; copy i of a repeat: signal + i)"),
            Key(name: "file", type: "string", description: "image: PNG path relative to the report's folder"),
            Key(name: "text", type: "object", description: "image, instead of file: {seed: N}, Tancik et al.'s random strings of random sizes and colours on white, drawn at 512 x 512 from the seed (HarfBuzz and Cairo, DejaVu Sans from fonts-dejavu-core)"),
            Key(name: "sinusoid", type: "object", description: "image, instead of file: {angle: degrees, frequency: cycles per unit}, Tancik et al.'s oriented sinusoid (1 + cos 2π(k_x x + k_y y))/2, (k_x, k_y) = frequency (cos angle, sin angle) rounded to integers; needs size, each |k| below size/2"),
            Key(name: "colour", type: "string", description: "image: channels", choices: Image.Colour.words),
            Key(name: "size", type: "integer", description: "image: centre-crop to a square and resize to size x size (a text image: resize its 512 x 512)"),
            Key(name: "protocol", type: "string", description: "image: tancik trains on the even pixel grid and tests on the odd grid; mgdl tests on every pixel", choices: ImageTask.Evaluation.words),
            Key(name: "classes", type: "array", description: "dataset: the class labels kept, e.g. [3, 8]; a class's position is its target index"),
            Key(name: "targets", type: "string", description: "dataset (default one_hot), or a 1-D/manifold target turned into the classes of its sign",
                choices: TargetEncoding.words),
            Key(name: "validation_fraction", type: "number", description: "dataset: share of the samples held out for validation (default 0.2)"),
            Key(name: "test_fraction", type: "number", description: "dataset: share held out for testing (default 0)"),
            Key(name: "split_seed", type: "integer", description: "dataset: seed of the shuffle that splits the samples"),
            Key(name: "noise", type: "object", description: "label noise on the training targets: {kind: additive|multiplicative, amplitude: β, frequency: k}, a sine of 2πk‖x‖; or {kind: kernel_eigenvectors, amplitude: β, exponent: γ}, β Σ (n/(N−1))^γ v_n along the eigenvectors of kernel_spectrum (dataset)"),
            Key(name: "kernel_spectrum", type: "object", description: "dataset, one output: {width: σ, bin: 20}, the eigenvectors of the Gaussian kernel exp(−‖x−x'‖²/2σ²) over the training inputs by decreasing eigenvalue (Rahaman et al.'s generalised spectrum); recording measures the prediction in them, |⟨v_n, f⟩| averaged over bins of `bin` indices"),
        ]),
        ("experiment.model", "mlp: widths, activation; sgdl: hidden; mgdl: grades; mscale, mscale_groups: hidden, scales, activation; adaptive_activation: hidden, activation, factor; phase_shift: hidden, bands, band_width, activation; multistage: hidden, stages", [
            Key(name: "widths", type: "array", description: "mlp: every width, input to output"),
            Key(name: "hidden", type: "array", description: "sgdl, mscale, mscale_groups, adaptive_activation, phase_shift (each band's network), multistage: hidden widths"),
            Key(name: "grades", type: "array", description: "mgdl: hidden widths of each grade, e.g. [[256, 256], [256, 256]]"),
            Key(name: "scales", type: "array", description: "mscale: input scales aᵢ of the subnetworks; mscale_groups: of the first-layer unit groups"),
            Key(name: "factor", type: "number", description: "adaptive_activation: the fixed factor n of f(n·a·z), a trainable (default 10)"),
            Key(name: "bands", type: "integer", description: "phase_shift: number of frequency bands jΔ ± Δ/2, j = 0, 1, ..."),
            Key(name: "band_width", type: "number", description: "phase_shift: band width Δ in cycles per unit input"),
            Key(name: "stages", type: "integer", description: "multistage: number of stages"),
            Key(name: "activation", type: "string", description: "hidden activation (mlp; adaptive_activation, phase_shift: relu, tanh, sin, sigmoid) or srelu / s2relu (mscale, mscale_groups)",
                choices: Activation.words),
            Key(name: "init", type: "string", description: "weight initialisation", choices: Initializer.words),
            Key(name: "output", type: "string", description: "sgdl: output activation (sigmoid: Tancik et al.'s image network); default identity",
                choices: ExperimentSpec.OutputActivation.words),
        ]),
        ("experiment.features", "Fourier-feature input mapping", [
            Key(name: "kind", type: "string", description: "none, [cos 2πv, sin 2πv], positional encoding (σ^(j/m); positional_powers: 2^linspace(0, σ_p, m) − 1 as Tancik's code), random frequencies B of standard deviation σ drawn from a Gaussian, uniform, uniform_log or laplacian distribution, or power_falloff ([a_j cos 2πjv, a_j sin 2πjv]/‖a‖, a_j = j^(−p), j = 1..m), or ntk_optimised (the same with the amplitudes an ntk_optimisation figure optimises)", choices: FeatureKind.words),
            Key(name: "scale", type: "number", description: "σ (positional: frequencies σ^(j/m)), σ_p (positional_powers: up to 2^σ_p − 1) or the standard deviation σ of B (gaussian, uniform, uniform_log, laplacian)"),
            Key(name: "count", type: "integer", description: "m: frequencies per axis (positional) or rows of B (gaussian, uniform, uniform_log, laplacian)"),
            Key(name: "seed", type: "integer", description: "gaussian, uniform, uniform_log, laplacian: seed of B"),
            Key(name: "exponent", type: "number", description: "power_falloff: p of the weights a_j = j^(−p), or inf (a_1 = 1, every other a_j = 0, among count frequencies; kind basic has the 2 features alone); ntk_optimised: the exponent α of the signals the figure optimised the amplitudes for"),
            Key(name: "figure", type: "string", description: "ntk_optimised: the ntk_optimisation figure of the report whose optimised amplitudes a_j (j = 1 … n/2) the mapping uses"),
        ]),
        ("experiment.train", "how each network is trained", [
            Key(name: "optimizer", type: "string", description: "optimizer", choices: OptimizerKind.words),
            Key(name: "lr", type: "number", description: "learning rate (t_max when lr_final is given)"),
            Key(name: "lr_final", type: "number", description: "exponential decay per epoch down to this (t_min)"),
            Key(name: "steps", type: "integer", description: "mlp: optimizer steps"),
            Key(name: "epochs", type: "integer", description: "other methods: epochs of each network (grade, stage)"),
            Key(name: "batch", type: "integer", description: "minibatch size, or 'full'"),
            Key(name: "record_every", type: "integer", description: "mlp: record the prediction every N steps (default 100); other methods: when written, record the whole model every N epochs of each network (grade, stage)"),
            Key(name: "record_norms", type: "boolean", description: "mlp: record the spectral norm of every weight matrix (10 power iterations) at each recorded step"),
            Key(name: "keep_predictions", type: "array", description: "compact recording: keep only the spectrum at the target's frequencies at each recorded step, and whole predictions at these steps (and the last)"),
            Key(name: "precision", type: "string", description: "arithmetic", choices: Precision.words),
            Key(name: "loss", type: "string", description: "mse = mean((f − y)²) (default); half_mse = mse / 2 (MGDL's and Tancik's ½·MSE); bce = binary cross-entropy of logits (sgdl, mscale; zero_one targets)",
                choices: Loss.words),
            Key(name: "grades", type: "array", description: "mgdl: one entry per grade, {lr, lr_final, epochs}, overriding the block's values for that grade"),
            Key(name: "lbfgs", type: "integer", description: "multistage: full-batch L-BFGS iterations per stage after its Adam epochs (libLBFGS)"),
            Key(name: "flop_budget", type: "number", description: "instead of steps / epochs: train as many (every grade and stage the same) as this many training FLOPs pay for, counted as `plan` counts them (forward and backward matrix products, the input mapping, MGDL's frozen grades, L-BFGS evaluations; see docs/report-format.md)"),
            Key(name: "plane", type: "object", description: "manifold tasks: {size: N, extent: E}: after training, evaluate every grade on an N × N grid over [−E, E]² (defaults 64 and 1.6), for a plane figure"),
            Key(name: "spectrum_band", type: "integer", description: "record, at each target frequency k, the sum of the amplitude over the bins k − b … k + b (and divide by the target's same sum): Fang & Xu's Fig. 9 normalisation for x-dependent amplitudes; default 0, the bin alone"),
            Key(name: "perturb", type: "object", description: "mlp: after training, the spectrum at the target's frequencies with the parameters moved by δ along random unit directions ({directions, max, deltas, seed}), for a perturbation figure"),
            Key(name: "weight_clip", type: "number", description: "mlp: after every optimizer step, clamp every entry of every weight matrix to [−c, c] (biases are not clipped); c > 0 (Rahaman et al.'s App. A.5)"),
        ]),
        ("experiment.sweep", "runs over several values of any keys", [
            Key(name: "grid", type: "object", description: "dotted key -> list of values; the runs are the cartesian product"),
            Key(name: "zip", type: "object", description: "dotted key -> list of values, all of one length, varied together; the axis `name` names the points (runs become EXPERIMENT--NAME)"),
        ]),
        ("figure", "```figure NAME block", [
            Key(name: "kind", type: "string", description: "the recipe", choices: FigureKind.words),
            Key(name: "run", type: "array", description: "experiment name(s) or run name(s) of a sweep; a swept experiment means all its runs (function_spectra names none)"),
            Key(name: "caption", type: "string", description: "shown under the figure"),
            Key(name: "profiles", type: "object", description: "named overlays (quick, paper, ...) deep-merged onto the figure at that profile, e.g. paper: {y_range: [30, 48]}; any key but kind"),
            Key(name: "at", type: "array", description: "fit: iterations to show; reconstruction: steps whose kept predictions to show; spectral_snapshots (required): the 1 to 10 iterations whose recorded spectra are drawn, one curve each (the nearest recorded step)"),
            Key(name: "x_range", type: "array", description: "[low, high] of the x axis in every panel (data outside is clipped)"),
            Key(name: "y_range", type: "array", description: "[low, high] of the y axis in every panel"),
            Key(name: "x_log", type: "boolean", description: "logarithmic x axis"),
            Key(name: "y_log", type: "boolean", description: "logarithmic y axis"),
            Key(name: "x_label", type: "string", description: "x axis label"),
            Key(name: "y_label", type: "string", description: "y axis label"),
            Key(name: "x_ticks", type: "array", description: "the x axis's ticks, increasing (2 to 50 values), instead of the automatic ones, e.g. [0, 45, 90, 135, 180]"),
            Key(name: "y_ticks", type: "array", description: "the y axis's ticks, increasing (2 to 50 values), instead of the automatic ones"),
            Key(name: "on_top", type: "array", description: "series label(s) drawn over the others"),
            Key(name: "metric", type: "string", description: "curves: loss (training loss at every step, validation and test loss at the recorded steps), rse, or psnr; parameter_sweep, scatter: a run metric (test_psnr, test_rse, final_loss, ...)", choices: CurveMetric.words + ClaimMetric.allCases.map(\.rawValue).filter { CurveMetric(rawValue: $0) == nil }),
            Key(name: "parameter", type: "string", description: "parameter_sweep: the swept key on the x axis (dotted, as in the sweep: features.scale)"),
            Key(name: "series", type: "string", description: "parameter_sweep: the swept key whose values make the lines (default: one line); scatter: the swept key whose values make the colours"),
            Key(name: "reference", type: "array", description: "scatter: runs drawn as horizontal lines at their metric (e.g. a dense reference), each labelled by its name or sweep label; spectral_snapshots: runs whose training target's spectrum is drawn in every panel beside the panel run's own (e.g. the clean labels beside the noisy ones)"),
            Key(name: "panels", type: "string", description: "curves: runs (one panel per run, the default) or sets (one panel per set: training, validation, test; one line per run)", choices: CurvePanels.words),
            Key(name: "mappings", type: "array", description: "ntk: the input mappings, each a features mapping ({kind, scale, count, seed, exponent}) with an optional label"),
            Key(name: "hidden_layers", type: "integer", description: "ntk, ntk_optimisation: hidden ReLU layers of the network (default 3: Tancik et al.'s 4-layer MLP)"),
            Key(name: "exponents", type: "array", description: "ntk_optimisation: the exponents α of the 1/f^α signal ensembles, one optimisation of the amplitudes each (1 to 6 values in [0, 8])"),
            Key(name: "width", type: "integer", description: "ntk_optimisation: the hidden width of the network whose standard-parameterisation NTK is used (default 1024)"),
            Key(name: "time", type: "number", description: "ntk_optimisation: the gradient-flow time t of the modelled network, its learning rate × iterations (default 5 = 5e-3 × 1000)"),
            Key(name: "train_signals", type: "integer", description: "ntk_optimisation: signals of each ensemble the amplitudes are optimised on (default 1024)"),
            Key(name: "test_signals", type: "integer", description: "ntk_optimisation: held-out signals of each ensemble the mappings are compared on (default 8)"),
            Key(name: "steps", type: "integer", description: "ntk_optimisation: Adam steps on the amplitudes (default 800)"),
            Key(name: "learning_rate", type: "number", description: "ntk_optimisation: Adam's learning rate on the amplitudes (default 0.01)"),
            Key(name: "seed", type: "integer", description: "ntk_optimisation: seed of the signal draws and of the initial noise on the amplitudes (default 0)"),
            Key(name: "trained", type: "array", description: "ntk_optimisation, optional: experiments of networks trained on the held-out signals with each mapping (power_law_ensemble tasks; power_falloff and ntk_optimised features), one per exponent in order; the figure adds their test error beside the NTK model's"),
            Key(name: "bins", type: "array", description: "ntk_training: the DFT bins of the training residual drawn, one panel each, theory dashed and the runs' final values marked (Tancik et al.'s low, mid and high components: [1, 5, 15]); without it the train and test losses"),
            Key(name: "own_steps", type: "boolean", description: "spectral_evolution: every panel its own training-iteration axis (runs of one FLOP budget train different numbers of steps); default one shared axis"),
            Key(name: "grades", type: "boolean", description: "fit: show each multi-grade run (mgdl, multistage) after each of its grades (the sum of grades 1 to l); other runs at the `at` steps"),
            Key(name: "functions", type: "array", description: "function_spectra: the functions drawn, [{label, formula (in x on [0, 1); jn(n, x) is the Bessel J_n), dashed, dots (drawn as dots at its lines, over the others)}]"),
            Key(name: "points", type: "integer", description: "function_spectra: the grid size N (points k/N) the spectra 2|DFT|/N are computed on (default 1024); ntk: samples of the kernel over one period (default 256); ntk_optimisation: the training points n, the even points of a 2n-point grid, with n/2 amplitudes (default 128)"),
            Key(name: "x", type: "string", description: "sweep_heatmap: the sweep axis (dotted key, e.g. task.frequencies) along x; scatter: the x of each run, a swept key (dotted, its values numbers) or a measured property of the run: frequency_std (√mean b² of its input mapping's frequencies)"),
            Key(name: "y", type: "string", description: "sweep_heatmap: the sweep axis along y"),
        ]),
        ("claim", "```claim NAME block: what a paper reports, checked on our runs", [
            Key(name: "kind", type: "string", description: "value: a published number within a tolerance; order: lower frequencies learned no later than higher ones; compare: one run's metric at least `factor` times below (or above) another's; robustness_order: higher frequencies fall below `threshold` of their trained amplitude at a parameter perturbation no larger than lower ones; spread: the metric's largest minus smallest value over the runs at most `at_most`; optimised_mapping: the amplitudes optimised through the NTK linear model (an ntk_optimisation figure) test at least `factor` times below the best power-law falloff; ntk_theory: the trained runs of an ntk_training figure against the NTK theory of their training", choices: ClaimKind.allCases.map(\.rawValue)),
            Key(name: "statement", type: "string", description: "what the paper reports, in words (shown with the verdict)"),
            Key(name: "source", type: "string", description: "where the paper reports it, e.g. 'Fang & Xu (2024), Table 1'"),
            Key(name: "profiles", type: "array", description: "check only at these profiles; at the others the verdict is 'not run at this profile' (default: every profile)"),
            Key(name: "run", type: "array", description: "an experiment, or one run of a sweep; its repeats are averaged; a list of runs: the mean over all of them (every kind but optimised_mapping and ntk_theory)"),
            Key(name: "metric", type: "string", description: "value, compare, spread: the metric compared", choices: ClaimMetric.allCases.map(\.rawValue)),
            Key(name: "paper", type: "number", description: "value: the published number"),
            Key(name: "within", type: "object", description: "value: {factor: F} (ours/paper in [1/F, F]), {db: D} or {absolute: A}"),
            Key(name: "than", type: "array", description: "compare: the other run (or a list of runs, averaged)"),
            Key(name: "factor", type: "number", description: "compare: at least this many times below (or above) the other run; optimised_mapping: at least this many times below the best power-law falloff (default 1); ntk_theory: each run's loss within this factor of the theory's, either way (default 2)"),
            Key(name: "figure", type: "string", description: "optimised_mapping: the ntk_optimisation figure whose computation is checked (instead of run); ntk_theory: the ntk_training figure whose runs are checked"),
            Key(name: "networks", type: "string", description: "optimised_mapping: model (default) checks the figure's NTK model; trained checks the networks of its trained experiments (mean test MSE over their signals)", choices: OptimisedNetworks.allCases.map(\.rawValue)),
            Key(name: "quantity", type: "string", description: "ntk_theory: train_loss or test_loss (the last recorded loss within `factor` of the NTK theory's) or bin_order (the last step's relative training residual grows with the figure's bins)", choices: NTKTheoryQuantity.allCases.map(\.rawValue)),
            Key(name: "exponent", type: "number", description: "optimised_mapping: which of the figure's signal exponents α"),
            Key(name: "margin", type: "number", description: "compare: instead of a factor, at least this much below (or above) the other run, in the metric's unit (e.g. dB)"),
            Key(name: "direction", type: "string", description: "compare: below (default) or above", choices: ClaimDirection.allCases.map(\.rawValue)),
            Key(name: "at_most", type: "number", description: "spread: the largest allowed difference between the runs' largest and smallest metric (each run the mean over its repeats), in the metric's unit (e.g. dB)"),
            Key(name: "threshold", type: "number", description: "order: the fraction of each frequency's amplitude that counts as learned (default 0.9); robustness_order: the fraction of the trained amplitude below which a frequency has fallen (default 0.5)"),
        ]),
        ("table", "```table NAME block", [
            Key(name: "kind", type: "string", description: "rse: train / validation / test relative squared error; psnr: train / test PSNR; accuracy: classification accuracy; validation_loss: lowest and final validation loss; leaderboard: methods (the sweep labels of each listed experiment) ranked on tasks (the experiments) by `metric`, mean ± std over repeats, FLOPs, time, rank", choices: TableKind.words),
            Key(name: "run", type: "array", description: "experiment name(s)"),
            Key(name: "caption", type: "string", description: "shown under the table"),
            Key(name: "paper", type: "object", description: "published values: {source: text, values: {run: {train|validation|test|train_psnr|test_psnr|seconds|train_accuracy|validation_accuracy|test_accuracy|lowest_validation_loss|final_validation_loss: number}}, profiles: [names] (optional: shown only at these profiles)}; with grades, RUN/grade-N for a grade's row"),
            Key(name: "grades", type: "boolean", description: "a row per grade of multi-grade runs (RSE up to that grade, its time), a time column and the training settings"),
            Key(name: "metric", type: "string", description: "leaderboard: the metric that ranks the methods on each task (default test_rse; psnr, accuracy and mean_spectral_ratio rank higher first)", choices: ClaimMetric.words),
            Key(name: "metrics", type: "object", description: "leaderboard: experiment name -> the metric that ranks that task instead of `metric` (e.g. an image by test_psnr)"),
            Key(name: "overall", type: "boolean", description: "leaderboard: one row per method with its rank on every task and its mean rank, instead of a row per task and method"),
            Key(name: "group", type: "string", description: "label: the runs that share a sweep label (e.g. one mapping on several images) make one row, mean ± std over them; paper values keyed by the label", choices: TableGrouping.words),
        ]),
    ]

    /// The allowed keys of a section (e.g. `experiment.train`).
    static func keys(_ path: String) -> [String] {
        sections.first { $0.path == path }?.keys.map(\.name) ?? []
    }

    /// The schema as JSON Schema (draft 2020-12), one definition per block kind; stable bytes.
    public static func jsonSchema() -> String {
        var definitions: [String: Any] = [:]
        for section in sections {
            var properties: [String: Any] = [:]
            for key in section.keys {
                var property: [String: Any] = ["description": key.description]
                switch key.type {
                case "array": property["type"] = ["array", "object", "string", "number"]
                case "object": property["type"] = "object"
                default: property["type"] = key.type == "string" && !key.choices.isEmpty && key.name == "amplitudes"
                    ? ["string", "number", "array"] : key.type
                }
                if !key.choices.isEmpty { property["examples"] = key.choices }
                properties[key.name] = property
            }
            definitions[section.path] = ["type": "object", "description": section.description,
                                         "additionalProperties": false, "properties": properties]
        }
        let schema: [String: Any] = [
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "mgdl-report report format, version \(reportFormatVersion)",
            "description": "Blocks of a report notebook (reports/*.md). See docs/report-format.md.",
            "$defs": definitions,
        ]
        let data = try! JSONSerialization.data(withJSONObject: schema, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
