import Foundation

// What a caller may change on a figure a recipe made: the panels, and the drawing order of
// their series (the last drawn is on top, and the legend lists series in drawing order).

extension Figure {
    /// Every panel (axes), row-major.
    public var panels: [Axes] { axesList }
}

extension Axes {
    /// Whether the panel shows an image (no axes, ticks or ranges).
    public var isImage: Bool { isImagePanel }

    /// Whether the panel is an unused cell of the grid (nothing drawn, no title or labels): it
    /// is not drawn, and options that would give it labels leave it alone.
    public var isBlank: Bool { isEmpty }

    /// The labels of the panel's lines and bands, in drawing order.
    public var seriesLabels: [String] {
        artists.compactMap { artist -> String? in
            switch artist {
            case .line(let l): return l.label
            case .band(let b): return b.label
            default: return nil
            }
        }
    }

    /// Draws the lines and bands labelled `label` after every other artist (so over them).
    /// Returns false when the panel has no such series.
    @discardableResult
    public func bringToFront(label: String) -> Bool {
        func matches(_ artist: Artist) -> Bool {
            switch artist {
            case .line(let l): return l.label == label
            case .band(let b): return b.label == label
            default: return false
            }
        }
        let moving = artists.filter(matches)
        guard !moving.isEmpty else { return false }
        artists = artists.filter { !matches($0) } + moving
        return true
    }
}
