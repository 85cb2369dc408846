/// A problem with a task's definition or data (bad sizes, unreadable image, ...).
///
/// `description` is a full sentence meant for the user; callers that know the spec file and key
/// prepend them (Tasks does no spec I/O itself).
public struct TaskError: Error, Equatable, Sendable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
