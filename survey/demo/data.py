"""Names and codes for the demo data set: real-looking, invented Swedish units."""

from __future__ import annotations

DEMO_PASSWORD = "demo"  # every demo account's password

# (county code, county name, [(municipality code, municipality name), ...])
REGIONS: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("01", "Stockholms län", [("0163", "Sollentuna"), ("0182", "Nacka"), ("0126", "Huddinge")]),
    (
        "03",
        "Uppsala län",
        [("0380", "Uppsala"), ("0381", "Enköping"), ("0330", "Knivsta"), ("0360", "Tierp")],
    ),
    ("12", "Skåne län", [("1281", "Lund"), ("1286", "Ystad"), ("1287", "Trelleborg")]),
    ("14", "Västra Götalands län", [("1490", "Borås"), ("1489", "Alingsås"), ("1441", "Lerum")]),
    ("25", "Norrbottens län", [("2580", "Luleå"), ("2581", "Piteå")]),
]

# (name, organisation number, county code, number of schools)
INDEPENDENT_ORGANISERS: list[tuple[str, str, str, int]] = [
    ("Kunskapsvägen Skolor AB", "556712-3401", "01", 6),
    ("Montessoriföreningen Linnéan", "802455-1203", "03", 2),
    ("Friskolan Vindrosen AB", "556903-7718", "12", 3),
    ("Lärandegruppen Norden AB", "559021-4456", "14", 7),
    ("Stiftelsen Nordljusskolan", "802011-9087", "25", 2),
]

SCHOOL_PREFIXES = [
    "Björk",
    "Ek",
    "Lind",
    "Sol",
    "Sjö",
    "Vall",
    "Berg",
    "Äng",
    "Gran",
    "Tall",
    "Hag",
    "Kvarn",
    "Backa",
    "Lunda",
    "Norr",
    "Söder",
    "Väster",
    "Öster",
    "Rosen",
    "Lärk",
    "Svan",
    "Tuna",
    "Kungs",
    "Dal",
    "Strand",
    "Bruks",
    "Hammar",
    "Ljung",
    "Vik",
    "Hög",
    "Mosse",
    "Ängby",
    "Ås",
    "Hassel",
    "Rönn",
    "Al",
    "Ceder",
    "Gull",
    "Silver",
    "Stjärn",
    "Klöver",
    "Vide",
    "Sälg",
    "Furu",
    "Ängs",
    "Kastanj",
    "Lönn",
    "Bok",
    "Skogs",
    "Fjäll",
]
SCHOOL_SUFFIXES = [
    "skolan",
    "backeskolan",
    "dalsskolan",
    "hagaskolan",
    "vallsskolan",
    "bergsskolan",
    "ängsskolan",
    "gårdsskolan",
    "lundsskolan",
    "torpsskolan",
]
UPPER_SECONDARY = ["gymnasiet", "gymnasium"]
PRESCHOOL_NAMES = [
    "Myran",
    "Humlan",
    "Solrosen",
    "Ekorren",
    "Trollet",
    "Pärlan",
    "Lärkan",
    "Ugglan",
    "Snickargården",
    "Björnbäret",
    "Nyckelpigan",
    "Blåklockan",
    "Vitsippan",
    "Kotten",
    "Tallbacken",
    "Regnbågen",
]

COMMENTS = [
    "Vi har börjat men arbetet är ojämnt mellan arbetslagen.",
    "Diskuterat i ledningsgruppen, behöver följas upp under våren.",
    "Underlag: elevenkät och loggar från lärplattformen.",
    "Huvudmannens stöd behövs här.",
    "Fungerar bra i F–3, sämre på högstadiet.",
]

# Added for the national follow-up. These units are drawn from a random stream of their
# own, after everything above, so the units, names and answers above stay exactly as they were.
# (county code, county name) of regions that have only these units.
EXTRA_REGIONS: list[tuple[str, str]] = [("09", "Gotlands län")]
# (county code, municipality code, name, number of schools or None for the usual range). Gotland
# has fewer than k schools, so the region is a small cell in every national breakdown.
EXTRA_MUNICIPALITIES: list[tuple[str, str, str, int | None]] = [
    ("12", "1282", "Landskrona", None),
    ("14", "1488", "Trollhättan", None),
    ("25", "2584", "Kiruna", None),
    ("09", "0980", "Gotland", 3),
]
# (name, organisation number, county code, school names): a state organiser with fewer than k
# schools, so "state" is a small cell of the organiser-type breakdown.
STATE_ORGANISERS: list[tuple[str, str, str, list[str]]] = [
    (
        "Sameskolstyrelsen",
        "202100-4920",
        "25",
        ["Sameskolan i Jokkmokk", "Sameskolan i Gällivare", "Sameskolan i Kiruna"],
    ),
]
# (municipality code, name): units whose only school form is anpassad grundskola — fewer than k,
# so the school-form breakdown has a small cell too.
ANPASSAD_SCHOOLS: list[tuple[str, str]] = [
    ("1281", "Vipeholms anpassade grundskola"),
    ("1490", "Särlaskolans anpassade grundskola"),
    ("2580", "Lulsundets anpassade grundskola"),
]
# The school forms the national rounds of the school questionnaire go to.
NATIONAL_SCHOOL_FORMS = ["grundskola", "anpassad_grundskola", "gymnasieskola"]

# The national-scale data set (``survey demo --national``): Sweden's 21 counties with their real
# codes and names, and how many municipalities each really has (290 in all).
COUNTIES: list[tuple[str, str, int]] = [
    ("01", "Stockholms län", 26),
    ("03", "Uppsala län", 8),
    ("04", "Södermanlands län", 9),
    ("05", "Östergötlands län", 13),
    ("06", "Jönköpings län", 13),
    ("07", "Kronobergs län", 8),
    ("08", "Kalmar län", 12),
    ("09", "Gotlands län", 1),
    ("10", "Blekinge län", 5),
    ("12", "Skåne län", 33),
    ("13", "Hallands län", 6),
    ("14", "Västra Götalands län", 49),
    ("17", "Värmlands län", 16),
    ("18", "Örebro län", 12),
    ("19", "Västmanlands län", 10),
    ("20", "Dalarnas län", 15),
    ("21", "Gävleborgs län", 10),
    ("22", "Västernorrlands län", 7),
    ("23", "Jämtlands län", 8),
    ("24", "Västerbottens län", 15),
    ("25", "Norrbottens län", 14),
]
# Invented municipality names are a stem from SCHOOL_PREFIXES and one of these endings.
MUNICIPALITY_ENDINGS = [
    "by", "vik", "torp", "holm", "ås", "ryd", "hult", "köping", "fors", "näs", "dal", "sund",
    "stad", "berga", "hamn", "lösa",
]  # fmt: skip
# Invented independent organisers: a stem and one of these patterns.
INDEPENDENT_PATTERNS = [
    "{} Skolor AB",
    "Friskolan {} AB",
    "Stiftelsen {}skolan",
    "{} Utbildning AB",
    "Föräldrakooperativet {}",
    "{}gruppen Lärande AB",
]
