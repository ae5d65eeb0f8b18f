"""Names and codes for the demo data set: real-looking, invented Swedish units."""

from __future__ import annotations

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
