import Foundation
import ZorginkoopCLI

exit(await Zorginkoop.run(Array(CommandLine.arguments.dropFirst())))
