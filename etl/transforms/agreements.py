"""Proposing a coding for a cooperation agreement from its text (pure).

The frame is Kuntaliitto's 2024 model agreement, 12 sections (``MODEL_SECTIONS``).
Headings vary between agreements: numbered (``1.``, ``1 §``, ``§ 1``, ``1)``) or not,
Finnish or Swedish, with different wording. A heading is a short line that starts,
after any numbering, with one of a section's heading phrases; sections are taken in
document order, each once. The proposal is a suggestion for an editor, who confirms or
corrects it: the rules are simple on purpose and the evidence (the heading found, the
words counted) goes with it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from portal.registry.agreements.models import MODEL_SECTIONS

PROPOSAL_VERSION = 1

# Heading phrases per section, Finnish and Swedish; matched at the start of a heading.
HEADINGS: dict[str, tuple[str, ...]] = {
    "purpose": (r"sopimuksen\s+tarkoitus", r"tarkoitus", r"sopimuksen\s+tausta\s+ja\s+tarkoitus",
                r"avtalets\s+syfte", r"syfte"),
    "parties": (r"sopijaosapuolet", r"sopimusosapuolet", r"sopimuksen\s+osapuolet", r"osapuolet",
                r"avtalsparter(na)?", r"parter(na)?"),
    "area": (r"yhteistoiminta-?alue", r"toiminta-?alue", r"sopimusalue", r"alue",
             r"samarbetsområde(t)?", r"verksamhetsområde(t)?", r"område(t)?"),
    "steering_group": (r"johtoryhmä", r"yhteistoiminnan\s+johtoryhmä", r"ledningsgrupp(en)?"),
    "objectives": (r"(yhteistoiminnan\s+|yhteistyön\s+|toiminnan\s+)?tavoitteet", r"tavoite",
                   r"mål(sättning(ar)?)?(\s+för\s+samarbetet)?", r"samarbetets\s+mål"),
    "organisation": (r"palvelujen\s+järjestämistapa", r"(palvelujen|toiminnan)\s+järjestäminen",
                     r"toiminnan\s+organisointi", r"yhteistoimintamallin\s+toteuttaminen",
                     r"järjestämistapa", r"sätt(et)?\s+att\s+ordna", r"organisering",
                     r"hur\s+tjänsterna\s+ordnas"),
    "services": (r"tarjottavat\s+palvelut", r"palvelut", r"palveluvalikoima",
                 r"tjänster(na)?(\s+som\s+erbjuds)?", r"erbjudna\s+tjänster"),
    "staff": (r"henkilöstö(resurssit)?", r"henkilöresurssit", r"resurssit", r"personal(en)?",
              r"personalresurser"),
    "leader": (r"(yhteistoimintaa|verkostoa|toimintaa)\s+johtava\s+henkilö",
               r"johtava\s+henkilö", r"tym-(koordinaattori|johtaja)", r"koordinaattori",
               r"verkostopäällikkö", r"person(en)?\s+som\s+leder", r"ledande\s+person",
               r"samordnare"),
    "costs": (r"kustannukset", r"kustannusten\s+ja(ko|kaminen|kautuminen)",
              r"kustannustenjako", r"rahoitus", r"kostnader(na)?", r"kostnadsfördelning",
              r"fördelning\s+av\s+kostnader"),
    "information_system": (r"asiakastiedot", r"asiakastietojen\s+käsittely",
                           r"asiakasrekisteri", r"tietojärjestelmä(t)?",
                           r"kunduppgifter", r"klientuppgifter", r"informationssystem(et)?",
                           r"kundregister"),
    "validity": (r"sopimuksen\s+voimassaolo", r"voimassaolo", r"sopimuksen\s+muuttaminen",
                 r"avtalets\s+giltighet", r"giltighet(stid)?", r"ändring\s+av\s+avtalet"),
}
_NUMBERING = re.compile(
    r"^\s*(?:(?:§\s*)?(\d{1,2})\s*(?:§|\.|\)|:)?|(?:[IVX]{1,4})\.)\s+", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-–•*]|\d{1,2}\)|[a-h]\))\s+")
_STATUTE = re.compile(r"\b\d{1,4}/(19|20)\d{2}\b")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NAME = re.compile(r"(?<=[\w,;:)]\s)([A-ZÅÄÖ][a-zåäö]{2,}(?:-[A-ZÅÄÖ]?[a-zåäö]+)?)")
_WORD = re.compile(r"\w+", re.UNICODE)
_MEASURABLE = re.compile(
    r"\d+\s*(%|prosent|procent|henkilö|asiakas|asiakkaa|kuukau|månad|klient|person)"
    r"|mittari|indikaattori|tavoitetaso|seurataan\s+\w+\s+avulla|mätare|indikator"
    r"|vähintään\s+\d|\bminst\s+\d|enintään\s+\d|högst\s+\d", re.IGNORECASE)
_TARGET_GROUP = re.compile(r"kohderyhm\w*|målgrupp\w*", re.IGNORECASE)
_TARGET_CRITERIA = re.compile(
    r"\d|vuotia|kuukau|pitkäaikaistyöt|nuor|maahanmuut|osatyökyk|\bår\b|åring|månad"
    r"|långtidsarbetslös|unga\b|invandrar|partiellt\s+arbetsför", re.IGNORECASE)
_PARTY = re.compile(
    r"kaupunki|kunta\b|kunnat|kuntayhtymä|hyvinvointialue|kela\b|kansaneläkelaitos"
    r"|työllisyysalue|stad\b|staden|kommun|välfärdsområde|fpa\b|folkpensionsanstalten",
    re.IGNORECASE)
MONTHS_FI = {"tammikuuta": 1, "helmikuuta": 2, "maaliskuuta": 3, "huhtikuuta": 4,
             "toukokuuta": 5, "kesäkuuta": 6, "heinäkuuta": 7, "elokuuta": 8, "syyskuuta": 9,
             "lokakuuta": 10, "marraskuuta": 11, "joulukuuta": 12}
MONTHS_SV = {"januari": 1, "februari": 2, "mars": 3, "april": 4, "maj": 5, "juni": 6,
             "juli": 7, "augusti": 8, "september": 9, "oktober": 10, "november": 11,
             "december": 12}
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(20\d{2})\b")
_DATE_WORDS = re.compile(r"\b(\d{1,2})\.?\s+(" + "|".join([*MONTHS_FI, *MONTHS_SV])
                         + r")\s+(20\d{2})\b", re.IGNORECASE)
_SIGNING = re.compile(r"allekirjoit|underteck|paikka\s+ja\s+aika|ort\s+och\s+datum",
                      re.IGNORECASE)
# "Mikkelissä 14.2.2025", "Kouvolassa 28. helmikuuta 2025", "Vasa den 3 mars 2025"
_PLACE_AND_DATE = re.compile(r"^\s*[A-ZÅÄÖ][\w-]+\s+(?:den\s+)?\d{1,2}\.?\s?\S+\s*\S*\s*$")
NUMBER_WORDS = {
    "yksi": 1, "kaksi": 2, "kolme": 3, "neljä": 4, "viisi": 5, "kuusi": 6, "seitsemän": 7,
    "kahdeksan": 8, "yhdeksän": 9, "kymmenen": 10,
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7,
    "åtta": 8, "nio": 9, "tio": 10,
}
SEAT_ORGS: tuple[tuple[str, re.Pattern], ...] = (
    ("kela", re.compile(r"\bkela|kansaneläkelaitos|\bfpa\b|folkpensionsanstalten", re.I)),
    ("county", re.compile(r"hyvinvointialue|välfärdsområde", re.I)),
    ("employment_authority", re.compile(
        r"työllisyysalue|työvoimaviranomai|sysselsättningsområde|arbetskraftsmyndighet"
        r"|kunni|kunnista|kaupungi|kommun", re.I)),
)
_CLAUSE = re.compile(r"[.;:,\n]\s*|\s+(?:ja|sekä|och|samt)\s+", re.IGNORECASE)
_SEAT_COUNT = re.compile(r"\b(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\b(?:\s*\(\d{1,2}\))?\s+"
                         r"(?:\w+\s+){0,2}?(jäsen|edustaja|varsinais|ledamot|ledamöter"
                         r"|representant)", re.IGNORECASE)


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    heading: str
    line: int
    body: str


def _heading_section(line: str) -> tuple[str, bool] | None:
    """(section key, numbered) when ``line`` looks like a section heading."""
    text = line.strip()
    if not text or len(text) > 90 or len(text.split()) > 10:
        return None
    numbered = bool(_NUMBERING.match(text))
    rest = _NUMBERING.sub("", text, count=1).strip().rstrip(":").strip()
    if not numbered and text.endswith((".", ",", ";")):
        return None
    for key, patterns in HEADINGS.items():
        for pattern in patterns:
            if re.match(rf"(?:{pattern})(?:\b|$)", rest, re.IGNORECASE):
                # an unnumbered heading must be the phrase and little else
                if numbered or len(rest.split()) <= 6:
                    return key, numbered
    return None


def find_sections(text: str) -> dict[str, Section]:
    """The model sections found in ``text``, each with its heading and body."""
    lines = text.splitlines()
    candidates = []
    for index, line in enumerate(lines):
        hit = _heading_section(line)
        if hit is not None:
            candidates.append((index, hit[0], hit[1]))
    if any(numbered for _i, _k, numbered in candidates):
        # a numbered document: unnumbered lines are not headings (e.g. a list item
        # "Johtoryhmä" inside a section)
        numbered_keys = {k for _i, k, n in candidates if n}
        candidates = [c for c in candidates if c[2] or c[1] not in numbered_keys]
    found: dict[str, tuple[int, str]] = {}
    order = []
    for index, key, _numbered in candidates:
        if key in found:
            continue
        found[key] = (index, lines[index].strip())
        order.append(key)
    starts = sorted((index, key) for key, (index, _h) in found.items())
    last = starts[-1][0] if starts else 0
    signature = next((i for i in range(last + 1, len(lines)) if _signature_line(lines[i])),
                     len(lines))
    sections = {}
    for position, (index, key) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else signature
        body = "\n".join(lines[index + 1:end]).strip()
        sections[key] = Section(key, MODEL_SECTIONS.index(key) + 1, found[key][1], index, body)
    return sections


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def section_coding(section: Section | None) -> str:
    """``absent``, ``general`` or ``specific``. Specific: the body gives details of this
    network (figures, named places or services, items of a list) or is long; a body that
    only restates the model text is general."""
    if section is None or not section.body.strip():
        return "absent"
    return "specific" if len(details(section.body)) >= 3 or _words(section.body) >= 80 else (
        "general")


def details(body: str) -> list[str]:
    """The particulars a section body gives: numbers (not statute numbers like 381/2023),
    capitalised names inside sentences, and the items of a list of short lines."""
    text = _STATUTE.sub(" ", body)
    flat = " ".join(text.split())  # a PDF breaks lines anywhere
    found = [m.group(0) for m in _NUMBER.finditer(text)]
    found += [m.group(0) for m in _SEAT_COUNT.finditer(flat)]
    found += [m.group(0) for m in _MEASURABLE.finditer(flat)]
    found += [m.group(1) for m in _NAME.finditer(text)]
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    if len(lines) >= 3 and all(len(line) <= 80 for line in lines):
        found += lines
    return found


def _parties(section: Section | None) -> list[str]:
    if section is None:
        return []
    parties = []
    for line in section.body.splitlines():
        text = _BULLET.sub("", line).strip().rstrip(",;.")
        text = re.sub(r"\s*\((jäljempänä|nedan|hädanefter)[^)]*\)", "", text, flags=re.I)
        if text and len(text) <= 120 and _PARTY.search(text) and text not in parties:
            parties.append(text)
    return parties


def signing_date(text: str) -> dt.date | None:
    """The date in the signature block: the last date on a line that looks like "place
    and date" (or mentions signing); otherwise None."""
    best = None
    for line in text.splitlines():
        if not _signature_line(line):
            continue
        for match in _DATE_NUMERIC.finditer(line):
            best = _date(int(match.group(3)), int(match.group(2)), int(match.group(1))) or best
        for match in _DATE_WORDS.finditer(line):
            month = {**MONTHS_FI, **MONTHS_SV}[match.group(2).lower()]
            best = _date(int(match.group(3)), month, int(match.group(1))) or best
    return best


def _signature_line(line: str) -> bool:
    """A "place and date" line of the signature block, or one that mentions signing."""
    has_date = bool(_DATE_NUMERIC.search(line) or _DATE_WORDS.search(line))
    return has_date and (bool(_PLACE_AND_DATE.match(line)) or bool(_SIGNING.search(line)))


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def steering_seats(section: Section | None) -> dict[str, int]:
    """Seats per organisation where the steering-group section states them, read clause
    by clause ("työllisyysalueelta viisi (5) jäsentä", "två representanter från
    välfärdsområdet")."""
    if section is None:
        return {}
    seats: dict[str, int] = {}
    for clause in _CLAUSE.split(" ".join(section.body.split())):
        match = _SEAT_COUNT.search(clause)
        if match is None:
            continue
        raw = match.group(1).lower()
        count = int(raw) if raw.isdigit() else NUMBER_WORDS[raw]
        for org, pattern in SEAT_ORGS:
            if pattern.search(clause):
                seats[org] = seats.get(org, 0) + count
                break
    return seats


def propose(text: str) -> dict:
    """The proposed coding of an agreement's text (JSON-ready)."""
    sections = find_sections(text)
    objectives = sections.get("objectives")
    objectives_specific = bool(objectives and _MEASURABLE.search(" ".join(
        objectives.body.split())))
    target_group_defined = any(
        _TARGET_CRITERIA.search(sentence)
        for sentence in re.split(r"(?<=[.!?])\s+|\n", text) if _TARGET_GROUP.search(sentence))
    signed = signing_date(text)
    swedish = len(re.findall(r"\b(och|avtal|som|för)\b", text, re.I)) > len(
        re.findall(r"\b(ja|sopimus|sopimuksen|joka)\b", text, re.I))
    return {
        "version": PROPOSAL_VERSION,
        "language": "sv" if swedish else "fi",
        "sections": {str(number): section_coding(sections.get(key))
                     for number, key in enumerate(MODEL_SECTIONS, start=1)},
        "objectives_specific": objectives_specific,
        "target_group_defined": target_group_defined,
        "parties": _parties(sections.get("parties")),
        "signed_on": signed.isoformat() if signed else None,
        "steering_seats": steering_seats(sections.get("steering_group")),
        "evidence": {
            "headings": {str(s.number): s.heading for s in sections.values()},
            "words": {str(s.number): _words(s.body) for s in sections.values()},
        },
    }
