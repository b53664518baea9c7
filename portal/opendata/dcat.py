"""The DCAT-AP catalogue of the portal's open data, for avoindata.fi (CKAN with
ckanext-dcat) and any other harvester: one ``dcat:Dataset`` per indicator and per
registry table, plus the bulk download, each with its distributions (CSV, "Excel
(fi/sv)" CSV, JSON API, GeoJSON, ZIP), titles and descriptions in Finnish, Swedish and
English, licence CC BY 4.0 and EU controlled vocabularies (file types, frequencies,
languages, themes).

The catalogue is built as plain triples (``catalogue``) and written as Turtle, RDF/XML
or JSON-LD by the small serialisers below: no RDF library needed, and the three forms
always say the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from portal.registry.indicators.catalogue import CATALOGUE, Text

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
EU = "http://publications.europa.eu/resource/authority/"
LICENCE = EU + "licence/CC_BY_4_0"
LANGUAGES = [EU + "language/FIN", EU + "language/SWE", EU + "language/ENG"]
FINLAND = EU + "country/FIN"
THEMES = [EU + "data-theme/SOCI", EU + "data-theme/ECON"]
MONTHLY, ANNUAL, IRREGULAR = (EU + "frequency/MONTHLY", EU + "frequency/ANNUAL",
                              EU + "frequency/IRREG")
FILE_TYPES = {"csv": EU + "file-type/CSV", "json": EU + "file-type/JSON",
              "geojson": EU + "file-type/GEOJSON", "zip": EU + "file-type/ZIP"}
MEDIA = "http://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class URI:
    value: str


@dataclass(frozen=True)
class Literal:
    value: str
    lang: str | None = None
    datatype: str | None = None  # a prefixed name such as xsd:date


Triples = list[tuple[str, str, URI | Literal]]


def _texts(text: Text) -> list[Literal]:
    return [Literal(text.fi, "fi"), Literal(text.sv, "sv"), Literal(text.en, "en")]


@dataclass
class _Builder:
    base: str
    triples: Triples

    def add(self, subject: str, predicate: str, *objects: URI | Literal) -> None:
        for obj in objects:
            self.triples.append((subject, predicate, obj))

    def distribution(self, dataset: str, key: str, title: Text, url: str, media: str,
                     file_type: str, download: bool = True) -> None:
        uri = f"{dataset}#{key}"
        self.add(dataset, "dcat:distribution", URI(uri))
        self.add(uri, "rdf:type", URI(PREFIXES["dcat"] + "Distribution"))
        self.add(uri, "dct:title", *_texts(title))
        self.add(uri, "dcat:accessURL", URI(url))
        if download:
            self.add(uri, "dcat:downloadURL", URI(url))
        self.add(uri, "dcat:mediaType", URI(MEDIA + media))
        self.add(uri, "dct:format", URI(FILE_TYPES[file_type]))
        self.add(uri, "dct:license", URI(LICENCE))

    def dataset(self, key: str, title: Text, description: Text, landing: str,
                frequency: str, keywords: list[str], modified: dt.date) -> str:
        uri = f"{self.base}/catalog#dataset-{key}"
        self.add(f"{self.base}/catalog", "dcat:dataset", URI(uri))
        self.add(uri, "rdf:type", URI(PREFIXES["dcat"] + "Dataset"))
        self.add(uri, "dct:identifier", Literal(uri))
        self.add(uri, "dct:title", *_texts(title))
        self.add(uri, "dct:description", *_texts(description))
        self.add(uri, "dcat:landingPage", URI(landing))
        self.add(uri, "dct:publisher", URI(f"{self.base}/catalog#publisher"))
        self.add(uri, "dcat:contactPoint", URI(f"{self.base}/catalog#contact"))
        self.add(uri, "dct:license", URI(LICENCE))
        self.add(uri, "dct:accrualPeriodicity", URI(frequency))
        self.add(uri, "dct:spatial", URI(FINLAND))
        self.add(uri, "dct:modified", Literal(modified.isoformat(), datatype="xsd:date"))
        for language in LANGUAGES:
            self.add(uri, "dct:language", URI(language))
        for theme in THEMES:
            self.add(uri, "dcat:theme", URI(theme))
        for word in keywords:
            self.add(uri, "dcat:keyword", Literal(word))
        return uri


SYNTHETIC = Text("SYNTEETTINEN ESITTELYAINEISTO – ei todellista. ",
                 "SYNTETISKT DEMONSTRATIONSMATERIAL – inte verkligt. ",
                 "SYNTHETIC DEMONSTRATION DATA - not real. ")


def _marked(text: Text, synthetic: bool) -> Text:
    if not synthetic:
        return text
    return Text(SYNTHETIC.fi + text.fi, SYNTHETIC.sv + text.sv, SYNTHETIC.en + text.en)


def catalogue(base: str, *, synthetic: bool, modified: dt.date) -> Triples:
    """The catalogue's triples; ``base`` is the portal's public URL (no trailing /)."""
    b = _Builder(base, [])
    cat = f"{base}/catalog"
    b.add(cat, "rdf:type", URI(PREFIXES["dcat"] + "Catalog"))
    b.add(cat, "dct:title", *_texts(_marked(Text(
        "TYM-verkostorekisterin avoin data", "TYM-nätverksregistrets öppna data",
        "TYM network registry open data"), synthetic)))
    b.add(cat, "dct:description", *_texts(_marked(Text(
        "Työllisyyttä edistävän monialaisen yhteispalvelun (TYM) verkostot, indikaattorit "
        "ja asiakasmäärät koko maasta.",
        "Nätverken, indikatorerna och klientvolymerna för den sektorsövergripande "
        "samservicen som främjar sysselsättning (TYM) i hela landet.",
        "Networks, indicators and client volumes of Finland's multisectoral joint "
        "services promoting employment (TYM)."), synthetic)))
    b.add(cat, "foaf:homepage", URI(base + "/"))
    b.add(cat, "dct:publisher", URI(f"{cat}#publisher"))
    b.add(cat, "dct:license", URI(LICENCE))
    b.add(cat, "dct:modified", Literal(modified.isoformat(), datatype="xsd:date"))
    for language in LANGUAGES:
        b.add(cat, "dct:language", URI(language))
    b.add(f"{cat}#publisher", "rdf:type", URI(PREFIXES["foaf"] + "Agent"))
    b.add(f"{cat}#publisher", "foaf:name", Literal("TYM-verkostorekisteri", "fi"),
          Literal("TYM-nätverksregistret", "sv"), Literal("TYM network registry", "en"))
    b.add(f"{cat}#contact", "rdf:type", URI(PREFIXES["vcard"] + "Organization"))
    b.add(f"{cat}#contact", "vcard:fn", Literal("TYM network registry"))
    b.add(f"{cat}#contact", "vcard:hasURL", URI(base + "/downloads/"))

    csv_title = Text("CSV (UTF-8, RFC 4180)", "CSV (UTF-8, RFC 4180)", "CSV (UTF-8, RFC 4180)")
    excel_title = Text("CSV Excelille (fi/sv: ;, desimaalipilkku)",
                       "CSV för Excel (fi/sv: ;, decimalkomma)",
                       "CSV for Excel (fi/sv: ;, decimal comma)")
    json_title = Text("JSON-rajapinta (sivutus)", "JSON-gränssnitt (paginering)",
                      "JSON API (paginated)")
    geo_title = Text("GeoJSON (EPSG:4326)", "GeoJSON (EPSG:4326)", "GeoJSON (EPSG:4326)")

    for indicator in CATALOGUE:
        uri = b.dataset(f"indicator-{indicator.id}", _marked(indicator.name, synthetic),
                        indicator.definition, f"{base}/indicators/{indicator.id}",
                        ANNUAL if indicator.frequency == "year" else MONTHLY,
                        ["TYM", "indikaattori", "indicator", indicator.kind], modified)
        path = f"{base}/downloads/indicators/{indicator.id}"
        b.distribution(uri, "csv", csv_title, path + ".csv", "text/csv", "csv")
        b.distribution(uri, "excel", excel_title, path + ".excel.csv", "text/csv", "csv")
        b.distribution(uri, "json", json_title, f"{base}/api/v1/indicators/{indicator.id}"
                       "/values", "application/json", "json", download=False)
        b.distribution(uri, "geojson", geo_title, path + ".geojson", "application/geo+json",
                       "geojson")

    tables = (
        ("client-volumes", Text("TYM-asiakasmäärät", "TYM-klientvolymer",
                                "TYM client volumes"),
         Text("Verkostojen ilmoittamat asiakasmäärät kuukausittain; pienet luvut salattu.",
              "Klientvolymer som nätverken rapporterat per månad; små tal skyddade.",
              "Client volumes reported by the networks per month; small counts suppressed."),
         MONTHLY, "client-volumes"),
        ("networks", Text("TYM-verkostot", "TYM-nätverk", "TYM networks"),
         Text("Voimassa olevat TYM-verkostot.", "Gällande TYM-nätverk.",
              "The TYM networks in force."), IRREGULAR, "networks"),
        ("configuration-types", Text("Järjestämistavat", "Organiseringstyper",
                                     "Configuration types"),
         Text("Hyvinvointialueiden TYM-verkostojen järjestämistapa.",
              "Organiseringstyp för välfärdsområdenas TYM-nätverk.",
              "Configuration type of each wellbeing county's TYM networks."),
         IRREGULAR, "configuration-types"),
        ("steering-summary", Text("Johtoryhmien yhteenveto",
                                  "Sammanfattning av ledningsgrupperna",
                                  "Steering-group summary"),
         Text("Johtoryhmien koko ja kokoonpano.", "Ledningsgruppernas storlek och "
              "sammansättning.", "Steering-group size and composition."),
         IRREGULAR, "steering-summary"),
        ("areas", Text("Alueet", "Områden", "Areas"),
         Text("Hyvinvointialueet, työllisyysalueet ja kunnat.",
              "Välfärdsområden, sysselsättningsområden och kommuner.",
              "Wellbeing counties, employment areas and municipalities."), ANNUAL, "areas"),
    )
    for key, title, description, frequency, api in tables:
        uri = b.dataset(key, _marked(title, synthetic), description, f"{base}/downloads/",
                        frequency, ["TYM"], modified)
        b.distribution(uri, "csv", csv_title, f"{base}/downloads/{key}.csv", "text/csv", "csv")
        b.distribution(uri, "excel", excel_title, f"{base}/downloads/{key}.excel.csv",
                       "text/csv", "csv")
        b.distribution(uri, "json", json_title, f"{base}/api/v1/{api}", "application/json",
                       "json", download=False)
        if key == "areas":
            for level in ("county", "employment_area", "municipality", "network"):
                b.distribution(uri, f"geojson-{level}", geo_title,
                               f"{base}/downloads/areas/{level}.geojson",
                               "application/geo+json", "geojson")

    uri = b.dataset("bulk", _marked(Text("Kaikki avoin data yhtenä pakettina",
                                         "All öppen data i ett paket",
                                         "All open data in one package"), synthetic),
                    Text("Kaikki taulukot CSV-muodossa ja Frictionless datapackage.json.",
                         "Alla tabeller som CSV och en Frictionless datapackage.json.",
                         "Every table as CSV with a Frictionless datapackage.json."),
                    f"{base}/downloads/", MONTHLY, ["TYM", "datapackage"], modified)
    b.distribution(uri, "zip", Text("ZIP", "ZIP", "ZIP"),
                   f"{base}/downloads/tym-open-data.zip", "application/zip", "zip")
    b.distribution(uri, "datapackage", Text("datapackage.json", "datapackage.json",
                                            "datapackage.json"),
                   f"{base}/downloads/datapackage.json", "application/json", "json")
    return b.triples


# --- serialisers ---------------------------------------------------------------------------

def _grouped(triples: Triples) -> dict[str, list[tuple[str, URI | Literal]]]:
    subjects: dict[str, list] = {}
    for subject, predicate, obj in triples:
        subjects.setdefault(subject, []).append((predicate, obj))
    return subjects


def _turtle_string(text: str) -> str:
    escaped = (text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r"))
    return f'"{escaped}"'


def _turtle_object(obj: URI | Literal) -> str:
    if isinstance(obj, URI):
        return f"<{obj.value}>"
    text = _turtle_string(obj.value)
    if obj.lang:
        return f"{text}@{obj.lang}"
    if obj.datatype:
        return f"{text}^^{obj.datatype}"
    return text


def turtle(triples: Triples) -> str:
    lines = [f"@prefix {p}: <{uri}> ." for p, uri in PREFIXES.items()]
    for subject, pairs in _grouped(triples).items():
        lines.append("")
        by_predicate: dict[str, list] = {}
        for predicate, obj in pairs:
            by_predicate.setdefault(predicate, []).append(obj)
        parts = [f"    {p} " + " ,\n        ".join(_turtle_object(o) for o in objs)
                 for p, objs in by_predicate.items()]
        lines.append(f"<{subject}>\n" + " ;\n".join(parts) + " .")
    return "\n".join(lines) + "\n"


def rdf_xml(triples: Triples) -> str:
    namespaces = " ".join(f"xmlns:{p}={quoteattr(uri)}" for p, uri in PREFIXES.items())
    out = ['<?xml version="1.0" encoding="utf-8"?>', f"<rdf:RDF {namespaces}>"]
    for subject, pairs in _grouped(triples).items():
        out.append(f"  <rdf:Description rdf:about={quoteattr(subject)}>")
        for predicate, obj in pairs:
            if isinstance(obj, URI):
                out.append(f"    <{predicate} rdf:resource={quoteattr(obj.value)}/>")
            elif obj.lang:
                out.append(f"    <{predicate} xml:lang=\"{obj.lang}\">{escape(obj.value)}"
                           f"</{predicate}>")
            elif obj.datatype:
                prefix, name = obj.datatype.split(":", 1)
                out.append(f"    <{predicate} rdf:datatype="
                           f"{quoteattr(PREFIXES[prefix] + name)}>{escape(obj.value)}"
                           f"</{predicate}>")
            else:
                out.append(f"    <{predicate}>{escape(obj.value)}</{predicate}>")
        out.append("  </rdf:Description>")
    out.append("</rdf:RDF>")
    return "\n".join(out) + "\n"


def json_ld(triples: Triples) -> dict:
    graph = []
    for subject, pairs in _grouped(triples).items():
        node: dict = {"@id": subject}
        for predicate, obj in pairs:
            if predicate == "rdf:type":
                node.setdefault("@type", []).append(obj.value)
                continue
            if isinstance(obj, URI):
                value = {"@id": obj.value}
            elif obj.lang:
                value = {"@value": obj.value, "@language": obj.lang}
            elif obj.datatype:
                value = {"@value": obj.value, "@type": obj.datatype}
            else:
                value = {"@value": obj.value}
            node.setdefault(predicate, []).append(value)
        graph.append(node)
    return {"@context": dict(PREFIXES), "@graph": graph}
