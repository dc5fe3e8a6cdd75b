import Foundation

/// A question as an officer handles it before publication.
public struct QuestionForNota: Hashable, Sendable {
    public var id: String
    /// The wording to publish: the asker's text, made anonymous by the officer where needed.
    public var wording: String
    public var documentReference: String
    public var section: String
    public var answer: String
    /// The question this one duplicates; it is answered there.
    public var mergedInto: String?
    public var askedAt: Date

    public init(id: String, wording: String, documentReference: String = "", section: String = "", answer: String = "",
                mergedInto: String? = nil, askedAt: Date) {
        self.id = id
        self.wording = wording
        self.documentReference = documentReference
        self.section = section
        self.answer = answer
        self.mergedInto = mergedInto
        self.askedAt = askedAt
    }
}

/// A published Nota van Inlichtingen: one round's questions and answers, the same for every
/// provider, with no asker named.
public struct NotaVanInlichtingen: Codable, Hashable, Sendable {
    public struct Entry: Codable, Hashable, Sendable {
        /// "round.number", as 1.3: the reference providers and officers quote.
        public var number: String
        public var documentReference: String
        public var section: String
        public var question: String
        public var answer: String
        /// How many submitted questions this entry answers (duplicates merged into it included).
        public var questionsAnswered: Int
    }

    public var tender: String
    public var round: Int
    public var publishedAt: Date
    public var entries: [Entry]

    /// Builds a round's Nota from its questions: merged duplicates become part of the question
    /// they duplicate; entries follow the order questions were asked. Every question that is not
    /// merged needs an answer, and a merge must point to a question of the same round.
    public static func compile(tender: String, round: Int, questions: [QuestionForNota], publishedAt: Date)
        -> Result<NotaVanInlichtingen, ProblemList> {
        var v = ProblemCollector()
        let ids = Set(questions.map(\.id))
        let main = questions.filter { $0.mergedInto == nil }.sorted { ($0.askedAt, $0.id) < ($1.askedAt, $1.id) }
        for q in questions {
            if let target = q.mergedInto {
                if !ids.contains(target) || questions.first(where: { $0.id == target })?.mergedInto != nil {
                    v.add("questions.\(q.id).mergedInto", "een vraag kan alleen samengevoegd worden met een niet-samengevoegde vraag van dezelfde ronde")
                }
            } else {
                if q.answer.isBlank { v.add("questions.\(q.id).answer", "deze vraag heeft nog geen antwoord") }
                if q.wording.isBlank { v.add("questions.\(q.id).wording", "de vraag heeft geen tekst om te publiceren") }
            }
        }
        if main.isEmpty { v.add("questions", "er zijn geen vragen om te publiceren in ronde \(round)") }
        guard v.problems.isEmpty else { return .failure(ProblemList(problems: v.problems)) }
        let entries = main.enumerated().map { index, q in
            Entry(number: "\(round).\(index + 1)", documentReference: q.documentReference, section: q.section,
                  question: q.wording, answer: q.answer,
                  questionsAnswered: 1 + questions.filter { $0.mergedInto == q.id }.count)
        }
        return .success(NotaVanInlichtingen(tender: tender, round: round, publishedAt: publishedAt, entries: entries))
    }

    /// The entries whose number, reference, question or answer contain every word of `query`,
    /// ignoring case and diacritics.
    public func search(_ query: String) -> [Entry] {
        let words = query.split(whereSeparator: \.isWhitespace).map { String($0) }
        guard !words.isEmpty else { return entries }
        return entries.filter { entry in
            let text = [entry.number, entry.documentReference, entry.section, entry.question, entry.answer].joined(separator: " ")
            return words.allSatisfy { text.range(of: $0, options: [.caseInsensitive, .diacriticInsensitive]) != nil }
        }
    }
}

/// Problems as an error value.
public struct ProblemList: Error, Hashable, Sendable {
    public var problems: [Problem]

    public init(problems: [Problem]) { self.problems = problems }
}
