import Vapor
import ZorginkoopInterop

/// A sheet as a file to save: Dutch CSV or XLSX, with the name it is saved under.
enum Download {
    static func csv(_ sheet: Sheet, filename: String) -> Response {
        file(DutchCSV.write(sheet), mediaType: HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"]), filename: filename)
    }

    static func xlsx(_ sheet: Sheet, filename: String) -> Response {
        file(XLSX.write(sheet), mediaType: HTTPMediaType(type: "application", subType: "vnd.openxmlformats-officedocument.spreadsheetml.sheet"), filename: filename)
    }

    private static func file(_ data: Data, mediaType: HTTPMediaType, filename: String) -> Response {
        let response = Response(status: .ok, body: .init(data: data))
        response.headers.contentType = mediaType
        response.headers.contentDisposition = .init(.attachment, filename: filename)
        return response
    }
}
