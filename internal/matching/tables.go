package matching

// The tables below are the package's only package-level variables. They are read-only after
// initialisation; nothing writes to them, so they are safe for concurrent use.

// legalForms are tokens that say what kind of legal entity a company is, not which company it
// is. They are dropped from the end of a name (see stripLegal) because "Acme Inc", "ACME Corp."
// and "Acme GmbH" are the same account to a sales team.
//
// Deliberately absent:
//   - "group", "holdings", "international", "industries": they are part of how a company is
//     told apart ("Capital One" vs "Capital Group"), and a parent is not its subsidiary.
//   - "private", "bank", "trust": these are real words inside names.
//
// "com" is here because "Salesforce.com, Inc." is written as a domain; it is only ever dropped
// from the end, where it is a TLD, never a word.
var legalForms = map[string]bool{
	// English-speaking
	"inc": true, "incorporated": true, "corp": true, "corporation": true,
	"co": true, "company": true, "companies": true, "llc": true, "llp": true, "lp": true,
	"ltd": true, "limited": true, "plc": true, "pty": true, "pte": true, "pvt": true,
	// German-speaking
	"gmbh": true, "mbh": true, "ag": true, "aktiengesellschaft": true, "kg": true,
	"kgaa": true, "ohg": true, "ug": true, "ev": true,
	// Romance languages
	"sa": true, "sas": true, "sarl": true, "srl": true, "spa": true, "sl": true,
	"cie": true, "compagnie": true, "lda": true, "ltda": true,
	// Dutch, Nordic, European
	"bv": true, "nv": true, "ab": true, "as": true, "asa": true, "aps": true,
	"oy": true, "oyj": true, "se": true,
	// Japan
	"kk": true,
	// a name written as a domain
	"com": true,
}

// leadingNoise is dropped from the start of a name: the article, and the French "compagnie"
// that opens names such as "Compagnie de Saint-Gobain". Short legal forms ("sa", "ab", "co")
// also begin real names ("SA Power Networks", "AB InBev", "Co-operative Bank"), so they are
// only stripped from the end.
var leadingNoise = map[string]bool{
	"the": true, "compagnie": true,
}

// abbreviations expands the short forms sales data is full of to the word they stand for, so
// that "Acme Intl" and "Acme International" normalise alike. Only unambiguous ones: "ind"
// (industries? India? independent?) and "int" are left alone.
var abbreviations = map[string]string{
	"intl":   "international",
	"natl":   "national",
	"mfg":    "manufacturing",
	"svc":    "services",
	"svcs":   "services",
	"bros":   "brothers",
	"assoc":  "associates",
	"assocs": "associates",
	"assn":   "association",
	"mgmt":   "management",
	"sys":    "systems",
	"tech":   "technology",
	"lab":    "laboratory",
	"labs":   "laboratories",
	"ctr":    "center",
	"centre": "center",
	"univ":   "university",
	"hosp":   "hospital",
	"grp":    "group",
	"hldgs":  "holdings",
	"mktg":   "marketing",
	"dept":   "department",
	"pharma": "pharmaceutical",
}

// stopwords carry no identity: "University of Oxford" and "Oxford University" are one
// institution. They are ignored when comparing tokens, not removed by NormalizeName, so that
// "Johnson & Johnson" still normalises to "johnson and johnson".
var stopwords = map[string]bool{
	"and": true, "of": true, "for": true,
	"de": true, "du": true, "des": true, "la": true, "le": true, "et": true,
	"der": true, "die": true, "das": true, "und": true,
}

// letterFold maps lowercase letters that Unicode does not decompose into a base letter plus
// accent (so NFKD cannot fold them) to the ASCII spelling used in company registers.
var letterFold = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'ł': "l", 'đ': "d", 'ð': "d",
	'þ': "th", 'ı': "i", 'ħ': "h",
}
