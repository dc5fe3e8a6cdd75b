import ArgumentParser
import Foundation
import ZorginkoopServer
import ZorginkoopCatalog
import ZorginkoopCore

/// The `zorginkoop` command.
public struct Zorginkoop: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "zorginkoop",
        abstract: "Regionale inkoop van jeugdhulp en Wmo-ondersteuning.",
        subcommands: [ServeCommand.self, MigrateCommand.self, UserCommand.self, AuditCommand.self,
                      DesignCommand.self, ExampleCommand.self, SelectCommand.self, IndexationCommand.self, SettleCommand.self, DeclarationsCommand.self, VaultCommand.self, RushCommand.self])

    public init() {}

    /// Runs the command line and returns the exit status: 0 on success, 2 for bad input or usage,
    /// 1 for any other failure. Messages go to standard error; nothing is half-written.
    public static func run(_ arguments: [String]) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as ExitCode {
            // A verdict, not a failure: the command has printed what it found.
            return error.rawValue
        } catch let error as FileProblems {
            printError(error.description)
            return 2
        } catch let error as CLIError {
            printError(error.message)
            return 2
        } catch let error as ConfigurationError {
            printError(error.description)
            return 2
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                print(message)  // --help and --version
                return 0
            }
            printError(message)
            // Usage errors are bad input too.
            return code == .validationFailure ? 2 : code.rawValue
        }
    }
}

/// Bad input that is not a file: a message for the user, exit status 2.
public struct CLIError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

public enum OutputFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case table, json
}

/// JSON as the product writes it: pretty, with sorted keys, so output is stable and diffable.
func jsonString<T: Encodable>(_ value: T) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try! encoder.encode(value), as: UTF8.self)
}
