package portfolio

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

// The word lists below are what a French ledger looks like: trades and family
// names that fill the client lists of SMEs, legal forms in their real
// proportions, and real cities with their postcodes. They are slices, never
// maps, so that the draw order (and hence the output) depends on the seed
// alone.

var frenchTrades = []string{
	"Boulangerie", "Transports", "Atelier", "Garage", "Menuiserie", "Plomberie",
	"Imprimerie", "Pharmacie", "Cabinet", "Bureau d'études", "Électricité",
	"Charpente", "Maçonnerie", "Couverture", "Métallerie", "Chaudronnerie",
	"Distribution", "Négoce", "Laboratoires", "Librairie", "Fromagerie",
	"Boucherie", "Traiteur", "Hôtel", "Brasserie", "Conseil", "Informatique",
	"Logistique", "Nettoyage", "Paysages", "Serrurerie", "Carrosserie",
	"Ambulances", "Scierie", "Vignobles", "Domaine", "Quincaillerie", "Optique",
	"Papeterie", "Textiles", "Mécanique", "Usinage", "Emballages", "Matériaux",
}

var frenchSurnames = []string{
	"Martin", "Bernard", "Thomas", "Petit", "Robert", "Richard", "Durand",
	"Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy",
	"Roux", "David", "Bertrand", "Morel", "Fournier", "Girard", "Bonnet",
	"Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Lefebvre",
	"Faure", "André", "Mercier", "Blanc", "Guérin", "Boyer", "Garnier",
	"Chevalier", "François", "Legrand", "Gauthier", "Garcia", "Perrin", "Robin",
	"Clément", "Morin", "Nicolas", "Henry", "Roussel", "Mathieu", "Gautier",
	"Masson", "Marchand", "Duval", "Denis", "Dumont", "Marie", "Lemaire",
	"Noël", "Meyer", "Dufour", "Meunier", "Brun", "Blanchard", "Giraud",
	"Joly", "Rivière", "Lucas", "Brunet", "Gaillard", "Barbier", "Arnaud",
	"Martinez", "Gérard", "Roche", "Renard", "Schmitt", "Roy", "Leroux",
	"Colin", "Vidal", "Caron", "Picard", "Roger", "Fabre", "Aubert", "Lemoine",
	"Renaud", "Dumas", "Lacroix", "Olivier", "Philippe", "Bourgeois", "Pierre",
	"Benoît", "Rey", "Leclerc", "Payet", "Rolland", "Leclercq", "Guillaume",
	"Lecomte", "Lopez", "Jean", "Dupuy", "Guillot", "Hubert", "Berger",
	"Carpentier", "Sanchez", "Dupuis", "Moulin", "Louis", "Deschamps", "Huet",
	"Vasseur", "Perez", "Boucher", "Fleury", "Royer", "Klein", "Jacquet",
}

// frenchPlaces already carry their article: "Atelier du Rhône".
var frenchPlaces = []string{
	"du Rhône", "de la Loire", "des Alpes", "de Provence", "d'Armor",
	"de l'Ouest", "du Nord", "de Bretagne", "du Jura", "de la Garonne",
	"des Vosges", "du Léman", "de la Seine", "du Vexin", "de Sologne",
	"du Périgord", "de Gascogne", "du Morvan", "des Cévennes", "de l'Atlantique",
	"du Sud-Ouest", "de la Côte d'Opale", "du Berry", "de Champagne", "d'Alsace",
}

var brandStems = []string{"Tech", "Agri", "Batir", "Medi", "Euro", "Inno", "Proxi", "Hydro", "Eco", "Nova", "Logi", "Multi", "Sud", "Arma", "Clim"}
var brandEndings = []string{"nor", "lis", "via", "tec", "pro", "ance", "sys", "com", "lux", "dis"}

// legalForm is a French legal form with its weight in a typical client list
// (per thousand).
type legalForm struct {
	name   string
	weight int
}

var frenchLegalForms = []legalForm{
	{"SAS", 380}, {"SARL", 300}, {"SASU", 120}, {"EURL", 90}, {"SA", 110},
}

type city struct {
	postcode, name string
}

// frenchCities are real communes with one of their real postcodes.
var frenchCities = []city{
	{"75008", "Paris"}, {"75011", "Paris"}, {"75015", "Paris"}, {"69003", "Lyon"},
	{"69007", "Lyon"}, {"13002", "Marseille"}, {"31000", "Toulouse"}, {"06000", "Nice"},
	{"44000", "Nantes"}, {"67000", "Strasbourg"}, {"34000", "Montpellier"},
	{"33000", "Bordeaux"}, {"59000", "Lille"}, {"35000", "Rennes"}, {"51100", "Reims"},
	{"76600", "Le Havre"}, {"42000", "Saint-Étienne"}, {"83000", "Toulon"},
	{"38000", "Grenoble"}, {"21000", "Dijon"}, {"49000", "Angers"}, {"30000", "Nîmes"},
	{"69100", "Villeurbanne"}, {"63000", "Clermont-Ferrand"}, {"72000", "Le Mans"},
	{"13100", "Aix-en-Provence"}, {"29200", "Brest"}, {"37000", "Tours"},
	{"80000", "Amiens"}, {"87000", "Limoges"}, {"74000", "Annecy"}, {"66000", "Perpignan"},
	{"57000", "Metz"}, {"25000", "Besançon"}, {"45000", "Orléans"}, {"76000", "Rouen"},
	{"68100", "Mulhouse"}, {"14000", "Caen"}, {"54000", "Nancy"}, {"84000", "Avignon"},
	{"86000", "Poitiers"}, {"17000", "La Rochelle"}, {"64000", "Pau"}, {"26000", "Valence"},
	{"73000", "Chambéry"}, {"10000", "Troyes"}, {"29000", "Quimper"}, {"56100", "Lorient"},
	{"56000", "Vannes"}, {"68000", "Colmar"}, {"64100", "Bayonne"}, {"62000", "Arras"},
	{"71100", "Chalon-sur-Saône"}, {"89000", "Auxerre"}, {"24000", "Périgueux"},
}

var frenchStreets = []string{
	"rue de la République", "avenue Jean Jaurès", "boulevard Victor Hugo",
	"rue Pasteur", "rue du Général de Gaulle", "place de la Mairie",
	"rue des Tanneurs", "chemin des Vignes", "rue Gambetta", "avenue de la Gare",
	"rue Nationale", "impasse des Lilas", "rue du Moulin", "allée des Érables",
	"rue Émile Zola", "route de Paris", "rue de l'Industrie", "avenue Foch",
	"rue du Commerce", "zone artisanale des Prés", "rue des Artisans",
	"boulevard de la Liberté", "rue Voltaire", "quai de la Marne",
}

// Foreign clients are invoiced in English.
var englishSurnames = []string{
	"Harrington", "Whitfield", "Ashworth", "Caldwell", "Pemberton", "Hollis",
	"Barrett", "Fairfax", "Kensington", "Langley", "Murray", "O'Connor",
	"Sutherland", "Thornton", "Wakefield", "Bradshaw", "Delaney", "Prescott",
	"Aldridge", "Blackwood", "Cartwright", "Donnelly", "Ellington", "Fletcher",
	"Gallagher", "Hargreaves", "Kavanagh", "Lockwood", "McAllister", "Radcliffe",
}

var englishTrades = []string{
	"Logistics", "Engineering", "Foods", "Trading", "Consulting", "Packaging",
	"Components", "Supplies", "Software", "Freight", "Hospitality", "Timber",
}

type foreignPlace struct {
	country, postcode, city, street, form, tld string
}

var foreignPlaces = []foreignPlace{
	{"GB", "EC1A 1BB", "London", "King Street", "Ltd", "co.uk"},
	{"GB", "M1 1AE", "Manchester", "Deansgate", "Ltd", "co.uk"},
	{"GB", "B2 4QA", "Birmingham", "Broad Street", "PLC", "co.uk"},
	{"GB", "EH1 1YZ", "Edinburgh", "Princes Street", "Ltd", "co.uk"},
	{"IE", "D02 X285", "Dublin", "Baggot Street", "Ltd", "ie"},
	{"IE", "T12 K8AF", "Cork", "Patrick Street", "Ltd", "ie"},
	{"NL", "1012 JS", "Amsterdam", "Damrak", "B.V.", "nl"},
	{"DE", "20095", "Hamburg", "Mönckebergstraße", "GmbH", "de"},
}

// frenchName draws a company name such as "Boulangerie Martin SARL",
// "Atelier du Rhône SA", "Menuiserie Dupont & Fils SAS", "Morel-Girard
// Conseil SAS" or "Technor SAS", and the part of it that names the mail
// domain. The patterns give millions of names, so that even 100,000 clients
// rarely share one.
func frenchName(r *rand.Rand) (name, domainStem string) {
	form := drawLegalForm(r)
	switch n := r.IntN(100); {
	case n < 40:
		trade, surname := pick(r, frenchTrades), pick(r, frenchSurnames)
		return trade + " " + surname + " " + form, trade + " " + surname
	case n < 55:
		trade, place := pick(r, frenchTrades), pick(r, frenchPlaces)
		return trade + " " + place + " " + form, trade + " " + place
	case n < 68:
		trade, surname := pick(r, frenchTrades), pick(r, frenchSurnames)
		return trade + " " + surname + " & Fils " + form, surname + " et fils"
	case n < 82:
		first, second, trade := pick(r, frenchSurnames), pick(r, frenchSurnames), pick(r, frenchTrades)
		return first + "-" + second + " " + trade + " " + form, first + " " + second
	case n < 90:
		surname := pick(r, frenchSurnames)
		return "Groupe " + surname + " " + form, "groupe " + surname
	default:
		brand := pick(r, brandStems) + pick(r, brandEndings)
		return brand + " " + form, brand
	}
}

func englishName(r *rand.Rand, form string) (name, domainStem string) {
	surname, trade := pick(r, englishSurnames), pick(r, englishTrades)
	if r.IntN(3) == 0 {
		partner := pick(r, englishSurnames)
		return surname + " & " + partner + " " + trade + " " + form, surname + " " + partner
	}
	return surname + " " + trade + " " + form, surname + " " + trade
}

func drawLegalForm(r *rand.Rand) string {
	n := r.IntN(1000)
	for _, f := range frenchLegalForms {
		if n < f.weight {
			return f.name
		}
		n -= f.weight
	}
	return frenchLegalForms[0].name
}

func pick[T any](r *rand.Rand, list []T) T { return list[r.IntN(len(list))] }

// slug turns a name into the label of a mail domain: "Atelier du Rhône" →
// "atelier-du-rhone". It folds the accents of French and English names by
// table: golang.org/x/text transformers allocate kilobytes per call, which
// shows at 100,000 clients.
func slug(s string) string {
	b := make([]byte, 0, len(s))
	dash := false
	for _, c := range strings.ToLower(s) {
		folded := foldAccent(c)
		switch {
		case folded != "":
			b = append(b, folded...)
			dash = false
		case c == '&':
			// "Dupont & Fils" reads "dupont-fils"
		default:
			if !dash && len(b) > 0 {
				b = append(b, '-')
				dash = true
			}
		}
	}
	return strings.TrimSuffix(string(b), "-")
}

// foldAccent returns the ASCII letters for a lowercase letter or digit, and
// "" for anything else.
func foldAccent(c rune) string {
	switch c {
	case 'à', 'â', 'ä', 'á':
		return "a"
	case 'é', 'è', 'ê', 'ë':
		return "e"
	case 'î', 'ï', 'í':
		return "i"
	case 'ô', 'ö', 'ó':
		return "o"
	case 'ù', 'û', 'ü', 'ú':
		return "u"
	case 'ÿ':
		return "y"
	case 'ç':
		return "c"
	case 'œ':
		return "oe"
	case 'æ':
		return "ae"
	case 'ß':
		return "ss"
	}
	if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
		return string(c)
	}
	return ""
}

// sirenBodies is how many eight-digit SIREN bodies start with 3 to 9, as
// those of companies do.
const sirenBodies = 70_000_000

// newSIREN returns the SIREN of the client numbered index: an eight-digit
// body from 30000000 to 99999999 and the Luhn check digit that makes the nine
// valid, as INSEE assigns them. index ↦ body is a bijection (48271 is prime
// to 70,000,000), so no two clients of a portfolio share a SIREN, and offset
// (drawn from the seed) makes portfolios differ.
func newSIREN(index int, offset uint64) string {
	body := 30_000_000 + (uint64(index)*48271+offset)%sirenBodies
	d := strconv.AppendUint(make([]byte, 0, 9), body, 10)
	d = append(d, '0')
	d[8] = byte('0' + (10-luhnSum(string(d))%10)%10)
	return string(d)
}

// ValidSIREN reports whether s is nine digits that pass the Luhn check, as
// every SIREN does (INSEE). It says nothing about whether the company exists.
func ValidSIREN(s string) bool {
	if len(s) != 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return luhnSum(s)%10 == 0
}

// luhnSum is the Luhn sum of a string of ASCII digits: every second digit
// from the right is doubled, with 9 taken off when that gives two digits.
func luhnSum(digits string) int {
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		v := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 1 {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
	}
	return sum
}

// streetNumber draws a street number, sometimes with "bis" or "ter".
func streetNumber(r *rand.Rand) string {
	n := strconv.Itoa(1 + r.IntN(180))
	switch r.IntN(20) {
	case 0:
		return n + " bis"
	case 1:
		return n + " ter"
	}
	return n
}
