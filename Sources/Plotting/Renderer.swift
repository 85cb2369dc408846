import Foundation

/// The few primitives a figure needs from a backend (as matplotlib's RendererBase). Coordinates
/// are CSS px, origin top-left, y down. Implementations must be deterministic.
protocol Renderer: AnyObject {
    func fill(_ path: Path, color: Color)
    func stroke(_ path: Path, color: Color, width: Double, dash: [Double])
    /// Filled circles of radius `radius` at each centre.
    func dots(_ centres: [Point], radius: Double, color: Color)
    /// Nearest-neighbour image scaled to `rect` (never smoothed).
    func image(_ image: RasterImage, in rect: Rect)
    /// Shaped text with its baseline-left origin at `origin`, rotated by `angle` radians about it
    /// (negative is counter-clockwise on screen).
    func text(_ layout: TextLayout, origin: Point, angle: Double, color: Color)
    func pushClip(_ rect: Rect)
    func popClip()
}
