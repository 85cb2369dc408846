import ArgumentParser
public struct MGDLReport: ParsableCommand {
    public init() {}
    public func run() throws {}
}
