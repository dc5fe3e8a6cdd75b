// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Zorginkoop",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zorginkoop", targets: ["zorginkoop"]),
        .executable(name: "zorginkoop-bench", targets: ["zorginkoop-bench"]),
        .library(name: "ZorginkoopCore", targets: ["ZorginkoopCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.110.0"),
        .package(url: "https://github.com/vapor/fluent.git", from: "4.12.0"),
        .package(url: "https://github.com/vapor/fluent-sqlite-driver.git", from: "4.8.0"),
        .package(url: "https://github.com/vapor/fluent-postgres-driver.git", from: "2.10.0"),
        .package(url: "https://github.com/vapor/leaf.git", from: "4.4.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // Tests only: the browser of the server tests talks to a real server over a real socket.
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
    ],
    targets: [
        // The domain: pure rules, no web, database or file I/O.
        .target(name: "ZorginkoopCore"),
        // The designs the product ships, as readable resource files, and their loader.
        .target(
            name: "ZorginkoopCatalog",
            dependencies: ["ZorginkoopCore"],
            resources: [.copy("Resources/designs")]
        ),
        // Exchange formats: Dutch CSV (read and written), XLSX; depends on the core only.
        .target(
            name: "ZorginkoopInterop",
            dependencies: [
                "ZorginkoopCore",
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        // The web application.
        .target(
            name: "ZorginkoopServer",
            dependencies: [
                "ZorginkoopCore",
                "ZorginkoopCatalog",
                "ZorginkoopInterop",
                .product(name: "Vapor", package: "vapor"),
                .product(name: "Fluent", package: "fluent"),
                .product(name: "FluentSQLiteDriver", package: "fluent-sqlite-driver"),
                .product(name: "FluentPostgresDriver", package: "fluent-postgres-driver"),
                .product(name: "Leaf", package: "leaf"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "MultipartKit", package: "multipart-kit"),
            ],
            resources: [.copy("Resources/Views"), .copy("Resources/Public")]
        ),
        // The command line: every subcommand of `zorginkoop`, testable as a library.
        .target(
            name: "ZorginkoopCLI",
            dependencies: [
                "ZorginkoopCore",
                "ZorginkoopCatalog",
                "ZorginkoopServer",
                "ZorginkoopInterop",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "zorginkoop", dependencies: ["ZorginkoopCLI"]),
        .executableTarget(name: "zorginkoop-bench", dependencies: ["ZorginkoopCore", "ZorginkoopCatalog"]),
        // Test support: the JSON mutator of the fuzz tests.
        .target(name: "ZorginkoopFuzzing", dependencies: ["ZorginkoopCore"], path: "Tests/Support/Fuzzing"),
        .testTarget(name: "ZorginkoopCoreTests", dependencies: ["ZorginkoopCore", "ZorginkoopCatalog"]),
        .testTarget(
            name: "ZorginkoopInteropTests",
            dependencies: ["ZorginkoopInterop", "ZorginkoopCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(name: "ZorginkoopCLITests", dependencies: ["ZorginkoopCLI", "ZorginkoopFuzzing"]),
        .testTarget(
            name: "ZorginkoopServerTests",
            dependencies: [
                "ZorginkoopServer",
                "ZorginkoopCore",
                "ZorginkoopCatalog",
                "ZorginkoopInterop",
                "ZorginkoopFuzzing",
                .product(name: "VaporTesting", package: "vapor"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
