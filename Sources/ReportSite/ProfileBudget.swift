import Experiments
import Foundation

/// What a report page says of the profile every number on it comes from: the profile, its
/// budget counted from the declarations (runs, optimizer steps, training FLOPs: `RunCost.flops`;
/// never a wall time, which would make the page depend on the machine), where the results come
/// from, and, for a report whose results of this profile are not committed yet, that plainly.
struct ProfileBudget {
    let profile: String
    let runs: Int
    let flops: Double
    /// Built with `--frozen`: from the run store and the committed results, training nothing.
    let frozen: Bool
    /// Why there are no results (`SiteBuilder.allowUncommitted`), or nil.
    let uncommitted: String?
    /// Of a report not yet committed whose training is committed in part: how far it is.
    var uncommittedProgress: String?
    /// The same report built with another profile: (profile, its site root relative to this site's root).
    var otherProfile: (name: String, root: String)?

    init(profile: String, specs: [ExperimentSpec], frozen: Bool, uncommitted: String?, otherProfile: (name: String, root: String)? = nil) {
        self.profile = profile
        self.runs = specs.count
        self.flops = specs.reduce(0) { $0 + RunCost.flops($1) }
        self.frozen = frozen
        self.uncommitted = uncommitted
        self.otherProfile = otherProfile
    }

    /// What the profile is, in words.
    static func meaning(_ profile: String) -> String {
        switch profile {
        case "quick": return "a reduced budget that CI trains in minutes on 2 cores: it shows each effect, not the papers' numbers"
        case "paper": return "the papers' budgets, trained once and committed to the repository in results/"
        default: return "the report's '\(profile)' settings"
        }
    }

    /// "1.13 TFLOP".
    static func flopsText(_ value: Double) -> String {
        let prefixes: [(Double, String)] = [(1e18, "E"), (1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")]
        for (scale, prefix) in prefixes where value >= scale { return String(format: "%.3g %@FLOP", value / scale, prefix) }
        return String(format: "%.0f FLOP", value)
    }

    /// The budget in one phrase: "6 runs, 1.13 TFLOP of training in all".
    var budgetText: String { "\(runs) run\(runs == 1 ? "" : "s"), \(Self.flopsText(flops)) of training in all" }

    /// The note under every table and figure: "Profile paper (6 runs, 1.13 TFLOP of training in all)."
    var note: String { "Profile \(profile) (\(budgetText))." }

    func context(reportID: String) -> [String: Any] {
        var context: [String: Any] = ["profile": profile, "meaning": Self.meaning(profile), "budgetText": budgetText, "note": note]
        if frozen, uncommitted == nil { context["budgetSource"] = "restored from the run store and the committed results, nothing trained by this build" }
        if let uncommitted { context["uncommitted"] = uncommitted }
        if let uncommittedProgress { context["uncommittedProgress"] = uncommittedProgress }
        if let otherProfile {
            context["otherProfile"] = ["name": otherProfile.name, "href": "\(otherProfile.root)\(reportID)/index.html"]
        }
        return context
    }
}
