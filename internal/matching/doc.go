// Package matching decides which existing account an inbound lead belongs to. It is pure
// scoring: no database, no I/O, no clock.
//
// Matching is split in two because the two halves want different tools. Narrowing, finding the
// few dozen accounts worth looking at among millions, is an index problem and belongs to the
// store: equal registrable domains by plain index, similar company names by trigram index
// (SQLite FTS5 with the trigram tokenizer, PostgreSQL pg_trgm). Trigram similarity is a good
// net but a poor judge: "Globex" and "Globe Telecom" share most of their trigrams. Judging the
// candidates the store returns is this package's job, where the rules can be explained, tested
// against labelled data and changed without a migration.
//
// The rules, strongest first (see Match):
//
//  1. the lead's email domain is the account's domain or website domain: confidence 1.0. The
//     caller leaves EmailDomain empty for free-mail providers, so gmail.com matches nobody;
//  2. the lead's website domain is one of them: 0.97;
//  3. otherwise the company names are compared by NameSimilarity, after NormalizeName has
//     removed what does not identify a company (case, accents, punctuation, legal forms such
//     as "Inc." or "GmbH").
//
// Names are compared word by word and only near-certain typos are forgiven, because the costly
// mistake is a false match (a lead attached to someone else's account and routed to the wrong
// rep), while a missed match merely falls through to manual routing. At DefaultMin the measure
// is checked against hand-labelled pairs in testdata/company_pairs.csv; see TestNameQuality.
// Known misses: two-letter acronyms ("GE"), German transliterations ("Müller" / "Mueller"),
// informal shortenings ("Mass General") and dropped prefixes ("Koninklijke Philips").
package matching
