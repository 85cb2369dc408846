// swift-tools-version:5.10
// mgdl-report: reproducible reports on the spectral bias of neural networks.
// Dependencies point one way, down this list (see DEVELOPERS.md "The shape").
import PackageDescription

let cSettings: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "mgdl-report",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mgdl-report", targets: ["mgdl-report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/JohnSundell/Ink", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // 1. C shims (module maps only).
        .systemLibrary(name: "CCairo", pkgConfig: "cairo",
                       providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CHarfBuzz", pkgConfig: "harfbuzz",
                       providers: [.apt(["libharfbuzz-dev"])]),
        .systemLibrary(name: "CFreeType", pkgConfig: "freetype2",
                       providers: [.apt(["libfreetype-dev"])]),
        .systemLibrary(name: "CFontconfig", pkgConfig: "fontconfig",
                       providers: [.apt(["libfontconfig-dev"])]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CXSMM", pkgConfig: "libxsmm",
                       providers: [.apt(["libxsmm-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3",
                       providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CLAPACKE", pkgConfig: "lapacke",
                       providers: [.apt(["liblapacke-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // liblzma (xz): the committed results store's compressed entries (`EntryCompression`).
        .systemLibrary(name: "CLZMA", pkgConfig: "liblzma",
                       providers: [.apt(["liblzma-dev"])]),
        .systemLibrary(name: "CLBFGS", pkgConfig: "liblbfgs",
                       providers: [.apt(["liblbfgs-dev"])]),
        // The one C kernel: the machine's FMA peak for `bench` (optimised in debug builds too).
        .target(name: "CPeakFMA", cSettings: [.unsafeFlags(["-O2"])]),

        // 2. Numerics: matrices on BLAS, elementwise kernels, seeded RNG, FFT, symmetric eigensolver (LAPACK). No I/O.
        .target(name: "Numerics", dependencies: ["COpenBLAS", "CXSMM", "CFFTW", "CLAPACKE"], exclude: ["README.md"], swiftSettings: cSettings),
        // 3. Learning: layers, activations, losses, optimizers, schedules, methods.
        .target(name: "Learning", dependencies: ["Numerics", "CLBFGS"], exclude: ["README.md", "Methods/README.md"], swiftSettings: cSettings),
        // 4. Tasks and analysis: target functions, splits, spectra, metrics (text images drawn by Cairo, shaped by HarfBuzz).
        .target(name: "Tasks", dependencies: ["Numerics", "CCairo", "CHarfBuzz", "CFreeType", "CZlib"], exclude: ["README.md"], swiftSettings: cSettings),
        // 5. Experiments: declared specs, runner, run store.
        .target(name: "Experiments", dependencies: [
            "Learning", "Tasks", "Yams", "CLZMA", .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["README.md"]),
        // 6. Plotting: figure model rendered by Cairo (text shaped by HarfBuzz).
        .target(name: "Plotting", dependencies: ["CCairo", "CHarfBuzz", "CFreeType", "CFontconfig"], exclude: ["README.md"]),
        // 7. Report site: report pages, figure recipes, templates.
        .target(name: "ReportSite", dependencies: [
            "Experiments", "Learning", "Plotting", "Tasks", "Numerics", "Yams",
            .product(name: "Mustache", package: "swift-mustache"),
            .product(name: "Ink", package: "Ink"),
        ], exclude: ["README.md"]),
        // 8. The command line.
        .target(name: "ReportCommands", dependencies: [
            "ReportSite", "Experiments", "Learning", "Numerics", "CPeakFMA",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "FlyingFox", package: "FlyingFox"),
        ]),
        .executableTarget(name: "mgdl-report", dependencies: ["ReportCommands"]),

        .testTarget(name: "NumericsTests", dependencies: ["Numerics"]),
        .testTarget(name: "LearningTests", dependencies: ["Learning", "Numerics"]),
        .testTarget(name: "TasksTests", dependencies: ["Tasks", "Numerics"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Learning"]),
        .testTarget(name: "PlottingTests", dependencies: ["Plotting"]),
        .testTarget(name: "ReportSiteTests", dependencies: ["ReportSite", "Plotting"]),
        .testTarget(name: "ReportCommandsTests", dependencies: ["ReportCommands"]),
    ]
)
