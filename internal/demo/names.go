package demo

// Word lists for the generated organisation. Company names combine a prefix and a suffix ("Blue" +
// "peak") with an industry word, so the combinations are fictional and plenty; people's names are
// picked per country so that a Berlin contact reads as one.

var namePrefixes = []string{"Blue", "Red", "North", "Iron", "Silver", "Cedar", "Bright", "Stone", "Oak",
	"Clear", "Field", "Pine", "Maple", "Swift", "Golden", "Granite", "Willow", "Copper", "Harbor", "Summit",
	"River", "Aspen", "Falcon", "Lark", "Coral", "Amber", "Birch", "Hazel", "Quarry", "Tide"}

var nameSuffixes = []string{"peak", "line", "wood", "gate", "brook", "water", "stone", "field", "ridge",
	"view", "haven", "point", "crest", "bridge", "light", "works", "leaf", "vale", "shore", "hill"}

// partnerNames make names like "Harbor & Finch Logistics".
var partnerNames = []string{"Finch", "Crane", "Wren", "Hale", "Marsh", "Rowe", "Ashby", "Thorne", "Keller",
	"Vance", "Morrow", "Pryce", "Lowell", "Barlow", "Sutton", "Hargrove", "Harbor", "Kettle", "Ember", "Quill"}

var industries = []string{"Software", "Manufacturing", "Healthcare", "Financial Services", "Retail",
	"Logistics", "Education", "Media"}

// industryWords end a company name of each industry.
var industryWords = map[string][]string{
	"Software":           {"Analytics", "Labs", "Software", "Systems", "Cloud", "Data"},
	"Manufacturing":      {"Manufacturing", "Industries", "Components", "Fabrication", "Tooling"},
	"Healthcare":         {"Health", "Medical", "Diagnostics", "Care", "Biotech"},
	"Financial Services": {"Capital", "Financial", "Insurance", "Partners", "Advisors"},
	"Retail":             {"Outfitters", "Goods", "Market", "Home", "Apparel"},
	"Logistics":          {"Logistics", "Freight", "Shipping", "Transport", "Supply"},
	"Education":          {"Learning", "Academy", "Education", "Schools"},
	"Media":              {"Media", "Studios", "Publishing", "Broadcasting"},
}

// revenuePerEmployee is a rough annual revenue per employee, in USD, per industry.
var revenuePerEmployee = map[string]float64{
	"Software": 220_000, "Manufacturing": 180_000, "Healthcare": 150_000, "Financial Services": 300_000,
	"Retail": 120_000, "Logistics": 140_000, "Education": 80_000, "Media": 160_000,
}

// legalForms are appended to some company names, per country.
var legalForms = map[string]string{"US": "Inc.", "GB": "Ltd", "DE": "GmbH", "CA": "Inc.", "FR": "SAS",
	"NL": "B.V.", "AU": "Pty Ltd"}

var currencies = map[string]string{"US": "USD", "CA": "CAD", "GB": "GBP", "DE": "EUR", "FR": "EUR",
	"NL": "EUR", "AU": "AUD"}

type namePool struct{ first, last []string }

var englishNames = namePool{
	first: []string{"Dana", "Michael", "Sarah", "James", "Emily", "David", "Jessica", "Chris", "Ashley",
		"Matthew", "Amanda", "Brian", "Megan", "Kevin", "Lauren", "Ryan", "Nicole", "Jason", "Rachel",
		"Andrew", "Stephanie", "Mark", "Heather", "Paul", "Olivia", "Ben", "Chloe", "Tom", "Grace", "Sam",
		"Priya", "Omar", "Mei", "Carlos", "Fatima", "Kwame", "Aiko", "Diego", "Nadia", "Ravi"},
	last: []string{"Whitfield", "Carter", "Nguyen", "Patel", "Morgan", "Hughes", "Bennett", "Reyes",
		"Foster", "Sullivan", "Coleman", "Brooks", "Hayes", "Price", "Barnes", "Fisher", "Henderson",
		"Jenkins", "Perry", "Russell", "Griffin", "Wallace", "Ellis", "Murray", "Ford", "Graham", "Walsh",
		"Chen", "Okafor", "Ramirez", "Lindqvist", "Tanaka", "Sharma", "Kowalski", "Dubois", "Osei"},
}

var germanNames = namePool{
	first: []string{"Lukas", "Anna", "Jonas", "Lea", "Felix", "Laura", "Maximilian", "Julia", "Tobias",
		"Katharina", "Florian", "Sophie", "Jan", "Miriam", "Stefan", "Sabine", "Matthias", "Claudia"},
	last: []string{"Schneider", "Fischer", "Wagner", "Becker", "Hoffmann", "Schulz", "Koch", "Richter",
		"Klein", "Wolf", "Neumann", "Schwarz", "Zimmermann", "Braun", "Hartmann", "Lange", "Krause"},
}

var frenchNames = namePool{
	first: []string{"Camille", "Louis", "Manon", "Hugo", "Chloe", "Lucas", "Julie", "Antoine", "Claire",
		"Thomas", "Pauline", "Nicolas", "Elise", "Mathieu", "Sophie"},
	last: []string{"Martin", "Bernard", "Moreau", "Laurent", "Lefebvre", "Roux", "Fournier", "Girard",
		"Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Blanc", "Garnier"},
}

var dutchNames = namePool{
	first: []string{"Daan", "Emma", "Sem", "Sanne", "Lars", "Fleur", "Thijs", "Anouk", "Bram", "Lotte",
		"Ruben", "Iris", "Joost", "Femke"},
	last: []string{"de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
		"de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk"},
}

func namesFor(country string) namePool {
	switch country {
	case "DE":
		return germanNames
	case "FR":
		return frenchNames
	case "NL":
		return dutchNames
	}
	return englishNames
}

// contactTitles start with the people who sign and end with the people who use.
var contactTitles = []string{"VP Sales", "CFO", "Head of RevOps", "Chief Revenue Officer", "Director of Marketing",
	"VP Customer Success", "Sales Operations Manager", "Head of Procurement", "IT Director",
	"Marketing Operations Manager", "Director of Sales Development", "COO", "Business Systems Analyst"}

var leadTitles = []string{"Sales Manager", "Head of Growth", "Marketing Manager", "VP Sales", "RevOps Analyst",
	"Director of Operations", "Founder", "CEO", "Account Executive", "Demand Generation Manager",
	"Head of Sales Development", "Operations Lead", "Marketing Director", "Customer Success Manager",
	"IT Manager", "Procurement Specialist"}

// poorFitTitles show up among disqualified leads.
var poorFitTitles = []string{"Student", "Consultant", "Intern", "Freelance Designer"}

var countries = []weighted[string]{{"US", 40}, {"GB", 15}, {"DE", 14}, {"CA", 8}, {"FR", 8}, {"NL", 8}, {"AU", 7}}

// timezones lists plausible IANA zones per country; the US one is picked at random.
var timezones = map[string][]string{
	"US": {"America/New_York", "America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"},
	"CA": {"America/Toronto", "America/Toronto", "America/Vancouver"},
	"GB": {"Europe/London"}, "DE": {"Europe/Berlin"}, "FR": {"Europe/Paris"}, "NL": {"Europe/Amsterdam"},
	"AU": {"Australia/Sydney", "Australia/Melbourne"},
}

// phonePrefixes are ranges set aside for fiction or unlikely to ring anyone (555-01xx in North America,
// Ofcom's drama numbers in the UK, ACMA's 5550 range in Australia, ARCEP's 01 99 00 in France); the
// last digits are appended.
var phonePrefixes = map[string][]string{
	"US": {"+1 415 555 01", "+1 212 555 01", "+1 312 555 01", "+1 512 555 01", "+1 617 555 01", "+1 206 555 01"},
	"CA": {"+1 416 555 01", "+1 604 555 01"},
	"GB": {"+44 20 7946 0", "+44 161 496 0"},
	"DE": {"+49 30 5550 1", "+49 89 5550 2"},
	"FR": {"+33 1 99 00 "},
	"NL": {"+31 20 555 0"},
	"AU": {"+61 2 5550 "},
}

// phoneDigits is how many digits follow each country's prefix.
var phoneDigits = map[string]int{"US": 2, "CA": 2, "GB": 3, "DE": 3, "FR": 4, "NL": 3, "AU": 4}
