import Experiments
import Foundation
import Plotting

/// One figure kind: how it is drawn from the runs it shows, and the notebook cell that redraws it
/// from its CSV. Each kind is one file in this folder; `FigureKind.recipe` names them all, so a
/// kind added to the format without its file does not compile.
protocol FigureRecipe {
    /// The figure, from the series it shows (a run and its repeats each).
    static func draw(_ input: FigureInput) throws -> Figure
    /// The notebook's code cell that redraws the figure from `figures/NAME.csv`; by default the
    /// generic cell, which redraws every panel's artists from the CSV.
    static func notebookCell(_ cell: NotebookFigureCell) -> String
}

extension FigureRecipe {
    static func notebookCell(_ cell: NotebookFigureCell) -> String {
        NotebookFigureCell.generic(cell)
    }
}

extension FigureKind {
    /// The file that draws this kind.
    var recipe: FigureRecipe.Type {
        switch self {
        case .spectralEvolution: return SpectralEvolutionFigure.self
        case .loss: return LossFigure.self
        case .curves: return CurvesFigure.self
        case .fit: return FitFigure.self
        case .layerNorms: return LayerNormsFigure.self
        case .gradeSpectra: return GradeSpectraFigure.self
        case .reconstruction: return ReconstructionFigure.self
        case .validationLoss: return ValidationLossFigure.self
        case .plane: return PlaneFigure.self
        case .functionSpectra: return FunctionSpectraFigure.self
        case .ntk: return NTKFigure.self
        case .ntkOptimisation: return NTKOptimisationFigure.self
        case .ntkTraining: return NTKTrainingFigure.self
        case .parameterSweep: return ParameterSweepFigure.self
        case .sweepHeatmap: return SweepHeatmapFigure.self
        case .perturbation: return PerturbationFigure.self
        case .finalFits: return FinalFitsFigure.self
        case .fitSpectra: return FitSpectraFigure.self
        case .scatter: return ScatterFigure.self
        case .spectralSnapshots: return SpectralSnapshotsFigure.self
        }
    }
}

/// What a recipe draws from: the declared figure and the series of the runs it shows.
struct FigureInput {
    let spec: FigureSpec
    let series: [FigureRecipes.Series]
    /// Run name -> its sweep label ("" without a sweep).
    let runLabels: [String: String]
    /// Series name -> its first run's sweep label, or its name.
    let seriesLabels: [String: String]
    /// Run name -> its sweep point by dotted key (`parameter_sweep`).
    var sweepValues: [String: [String: String]] = [:]
    /// Run name -> its sweep point's value on each axis, numeric where it is (`sweep_heatmap`).
    var sweepAxes: [String: [ExperimentSpec.SweepValue]] = [:]
    /// Run name -> its declaration (`ntk_training` computes the theory of each run from it).
    var specs: [String: ExperimentSpec] = [:]
}

/// What a figure's notebook cell is written from: the declared figure, its CSV's path and size,
/// and the structure of the figure as drawn (`FigureOutline`: grid, titles, labels, scales).
struct NotebookFigureCell {
    let spec: FigureSpec
    let outline: FigureOutline
    /// The CSV's path relative to the notebook, as a Python literal.
    let path: String
    /// matplotlib's `figsize=(w, h)` in inches, the site figure's size at 100 px per inch.
    let size: String

    init(spec: FigureSpec, outline: FigureOutline, width: Double, height: Double) {
        self.spec = spec
        self.outline = outline
        self.path = Notebook.py("figures/\(spec.name).csv")
        self.size = "figsize=(\(Notebook.decimal(width / 100)), \(Notebook.decimal(height / 100)))"
    }

    /// The first panel (the labels of a one-panel figure).
    var first: FigureOutline.Panel { outline.panel(1) ?? FigureOutline.Panel(number: 1) }

    /// A label as a Python literal: the figure's own, else the recipe's usual one.
    func label(_ text: String?, _ fallback: String) -> String { Notebook.py(text ?? fallback) }

    /// Every panel redrawn from the CSV with the helpers' `draw_panel`, with the figure's own
    /// titles, labels and log axes: for kinds whose panels need nothing special.
    static func generic(_ cell: NotebookFigureCell) -> String {
            let labels = cell.outline.panels.map { p in
                "\(p.number): (\(Notebook.py(p.title ?? "")), \(Notebook.py(p.xLabel ?? "")), \(Notebook.py(p.yLabel ?? "")), \(p.xLog ? "True" : "False"), \(p.yLog ? "True" : "False"))"
            }.joined(separator: ", ")
            return """
                # \(cell.spec.name) (\(cell.spec.kind)): every panel redrawn from the CSV.
                rows = load_figure(\(cell.path))
                labels = {\(labels)}  # panel: (title, x label, y label, log x, log y)
                fig, axes = plt.subplots(\(cell.outline.rows), \(cell.outline.columns), \(cell.size), squeeze=False, constrained_layout=True)
                for panel, ax in panel_axes(axes, rows):
                    draw_panel(ax, rows, panel)
                    title, xlabel, ylabel, logx, logy = labels.get(panel, ("", "", "", False, False))
                    ax.set_title(title)
                    ax.set_xlabel(xlabel)
                    ax.set_ylabel(ylabel)
                    if logx:
                        ax.set_xscale("log")
                    if logy:
                        ax.set_yscale("log")
                if any(len(series(rows, p)) > 1 for p in panels(rows)):
                    axes[0, 0].legend()
                plt.show()
                """
    }
}

extension ClaimMetric {
    /// The metric as an axis label, e.g. "test RSE", "train PSNR (dB)", "final validation loss".
    var axisLabel: String {
        let words = rawValue.split(separator: "_").map { word -> String in
            switch word {
            case "rse": return "RSE"
            case "psnr": return "PSNR"
            default: return String(word)
            }
        }
        return words.joined(separator: " ") + (rawValue.hasSuffix("psnr") ? " (dB)" : "")
    }
}
