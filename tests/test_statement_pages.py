"""The accessibility statement (Act 306/2019) and the privacy notice, in fi/sv/en,
linked from every page's footer."""

from __future__ import annotations

import pytest

from portal import create_app
from tests.html_tree import parse

FEEDBACK = "saavutettavuus@tym.example.fi"
PRIVACY = "tietosuoja@tym.example.fi"
PROVIDER = "Työ- ja elinkeinoministeriö"

ACCESSIBILITY = {
    "fi": ["Saavutettavuuden tila", "osittain", "WCAG 2.1", "Ei-saavutettava sisältö",
           "Valvontaviranomainen", "Liikenne- ja viestintävirasto Traficom",
           "Digitaalisen esteettömyyden ja saavutettavuuden valvontayksikkö",
           "puhelinnumero vaihde 029 534 5000", "14 päivän", "22. marraskuuta 2026"],
    "sv": ["Tillgänglighetsstatus", "delvis", "WCAG 2.1", "Innehåll som inte är tillgängligt",
           "Tillsynsmyndighet", "Transport- och kommunikationsverket Traficom",
           "Enheten för tillsyn över digital tillgänglighet",
           "telefonnummer till växeln 029 534 5000", "14 dagar", "22 november 2026"],
    "en": ["Compliance status", "partially", "WCAG 2.1", "Non-accessible content",
           "Supervisory authority", "Finnish Transport and Communications Agency Traficom",
           "Digital Accessibility Supervision Unit", "+358 29 534 5000", "14 days",
           "November 22, 2026"],
}
PRIVACY_TEXTS = {
    "fi": ["Rekisterinpitäjä", "Evästeet", "Tietosuojavaltuutetun toimisto", "90 päivän",
           "6 artiklan 1 kohdan e alakohta"],
    "sv": ["Personuppgiftsansvarig", "Kakor", "Dataombudsmannens byrå", "90 dagar",
           "artikel 6.1 e"],
    "en": ["Controller", "Cookies", "Office of the Data Protection Ombudsman", "90 days",
           "Article 6(1)(e)"],
}


@pytest.fixture
def app(settings, database):
    return create_app(dict(settings, TESTING=True, FEEDBACK_EMAIL=FEEDBACK,
                           PRIVACY_EMAIL=PRIVACY, SERVICE_PROVIDER=PROVIDER,
                           PUBLIC_URL="https://tym.example.fi"), database=database)


def _page(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    return parse(response.get_data(as_text=True))


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_accessibility_statement_in_each_language(client, lang):
    root = _page(client, f"/accessibility?lang={lang}")
    assert root.find("html").attrs["lang"] == lang
    assert len(root.find_all("h1")) == 1
    text = root.find("main").text()
    for expected in ACCESSIBILITY[lang]:
        assert expected in text, (lang, expected)
    links = {a.attrs["href"] for a in root.find("main").find_all("a")}
    assert f"mailto:{FEEDBACK}" in links  # the feedback channel
    assert "mailto:saavutettavuus@traficom.fi" in links
    assert "https://tym.example.fi/" in links
    assert PROVIDER in text
    # every non-conformity names the WCAG success criterion it fails
    assert "WCAG 2.1.1" in text and "WCAG 2.2.1" in text


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_the_privacy_notice_in_each_language(client, lang):
    root = _page(client, f"/privacy?lang={lang}")
    assert root.find("html").attrs["lang"] == lang
    text = root.find("main").text()
    for expected in PRIVACY_TEXTS[lang] + ["tym_session", "tym_lang", PROVIDER]:
        assert expected in text, (lang, expected)
    links = {a.attrs["href"] for a in root.find("main").find_all("a")}
    assert f"mailto:{PRIVACY}" in links and "mailto:tietosuoja@om.fi" in links


def test_headings_follow_each_other_without_gaps(client):
    for url in ("/accessibility", "/privacy"):
        for lang in ("fi", "sv", "en"):
            root = _page(client, f"{url}?lang={lang}")
            levels = [int(n.tag[1]) for n in root.find("main").iter()
                      if n.tag in ("h1", "h2", "h3", "h4")]
            assert levels[0] == 1
            assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), url


def test_an_unconfigured_installation_says_so_instead_of_a_dead_link(settings, database):
    app = create_app(dict(settings, TESTING=True), database=database)
    client = app.test_client()
    root = _page(client, "/accessibility?lang=en")
    assert not [a for a in root.find_all("a") if a.attrs.get("href", "").startswith(
        "mailto:") and "traficom" not in a.attrs["href"]]
    assert "feedback address of this installation has not been set" in root.find("main").text()
    privacy = _page(client, "/privacy?lang=fi").find("main").text()
    assert "tietosuojaosoitetta ei ole vielä määritetty" in privacy


def test_the_privacy_address_defaults_to_the_feedback_address(settings, database):
    app = create_app(dict(settings, TESTING=True, FEEDBACK_EMAIL=FEEDBACK), database=database)
    root = _page(app.test_client(), "/privacy?lang=en")
    assert f"mailto:{FEEDBACK}" in {a.attrs["href"] for a in root.find_all("a")}


@pytest.mark.parametrize("url", ["/", "/counties/12", "/accessibility", "/no/such/page"])
def test_every_page_links_both_from_its_footer(client, url):
    root = parse(client.get(url).get_data(as_text=True))
    footer = root.find("footer")
    assert {a.attrs["href"] for a in footer.find_all("a")} >= {"/accessibility", "/privacy"}
