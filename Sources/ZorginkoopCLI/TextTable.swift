import Foundation

/// A plain-text table with aligned columns, for terminal output.
struct TextTable {
    var headers: [String]
    var alignRight: Set<Int> = []
    var indent = 2

    init(_ headers: [String], alignRight: Set<Int> = [], indent: Int = 2) {
        self.headers = headers
        self.alignRight = alignRight
        self.indent = indent
    }

    func rendering(_ rows: [[String]]) -> String {
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        let pad = String(repeating: " ", count: indent)
        func line(_ row: [String]) -> String {
            let cells = widths.indices.map { column -> String in
                let text = row.indices.contains(column) ? row[column] : ""
                let fill = String(repeating: " ", count: widths[column] - text.count)
                return alignRight.contains(column) ? fill + text : text + fill
            }
            return pad + cells.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        let rule = pad + widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map(line)).joined(separator: "\n")
    }
}
