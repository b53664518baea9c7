"""Three cooperation agreements written for the tests in the structure of Kuntaliitto's
2024 model agreement, with different wording and layout, and the files made from them:

* ``FINNISH_NUMBERED`` (DOCX): numbered headings ("1. Sopimuksen tarkoitus"), a staff
  table, measurable objectives, a defined target group, seats stated in the text.
* ``FINNISH_UNNUMBERED`` (PDF): headings without numbers and in other words ("Sopimuksen
  osapuolet", "Toiminta-alue"), no staff and no client-data section, objectives and
  target group only in general terms, no seat counts.
* ``SWEDISH`` (PDF and DOCX): "§ 1 Avtalets syfte" headings in Swedish, Swedish number
  words for the seats, the date written out ("Vasa den 3 mars 2025").

The networks, places and people are invented. ``docx_bytes``/``pdf_bytes`` build the
files with python-docx and fpdf2 (core fonts: Latin-1 text only).
"""

from __future__ import annotations

import io

# Each agreement: title, then (heading, [paragraphs; a list item starts with "- ",
# a table row is a tuple]) per section, then the signature lines.
FINNISH_NUMBERED = {
    "title": "Yhteistoimintasopimus työllistymistä edistävästä monialaisesta tuesta, "
             "Mikkelin seudun TYM-verkosto",
    "sections": [
        ("1. Sopimuksen tarkoitus", [
            "Tällä sopimuksella sovitaan laissa työllistymistä edistävästä monialaisesta "
            "tuesta (381/2023) tarkoitetun yhteistoimintamallin järjestämisestä Mikkelin "
            "seudun työllisyysalueella."]),
        ("2. Sopijaosapuolet", [
            "- Mikkelin kaupunki, Mikkelin seudun työllisyysalueen vastuukunta",
            "- Etelä-Savon hyvinvointialue",
            "- Kansaneläkelaitos (jäljempänä Kela)"]),
        ("3. Yhteistoiminta-alue", [
            "Yhteistoiminta-alue käsittää Mikkelin seudun työllisyysalueen kunnat: Mikkeli, "
            "Mäntyharju, Hirvensalmi, Kangasniemi ja Puumala."]),
        ("4. Johtoryhmä", [
            "Johtoryhmään kuuluu työllisyysalueelta viisi (5) jäsentä, hyvinvointialueelta "
            "kolme (3) jäsentä ja Kelasta yksi (1) jäsen. Puheenjohtajana toimii "
            "työvoimaviranomaisen edustaja ja varapuheenjohtajana hyvinvointialueen edustaja.",
            "Johtoryhmä kokoontuu vähintään neljä kertaa vuodessa."]),
        ("5. Yhteistoiminnan tavoitteet", [
            "Tavoitteena on, että vähintään 30 % palvelusta päättyneistä asiakkaista siirtyy "
            "työhön tai koulutukseen ja että palvelutarpeen arviointi käynnistyy 14 päivän "
            "kuluessa. Tavoitteiden toteutumista seurataan neljännesvuosittain johtoryhmässä "
            "sovituilla mittareilla.",
            "Kohderyhmänä ovat erityisesti alle 30-vuotiaat sekä yli 12 kuukautta "
            "työttömänä olleet, joiden työllistyminen edellyttää monialaista tukea."]),
        ("6. Palvelujen järjestämistapa", [
            "Palvelut järjestetään Mikkelin Työllisyyspisteessä, jossa osapuolten "
            "asiantuntijat työskentelevät tiistaisin ja torstaisin. Mäntyharjussa ja "
            "Kangasniemellä palvelua tarjotaan kerran viikossa.",
            "- yhteinen palvelutarpeen arviointi",
            "- monialainen työllistymissuunnitelma",
            "- säännöllinen seuranta"]),
        ("7. Tarjottavat palvelut", [
            "- työvoimapalvelut ja kuntouttava työtoiminta",
            "- sosiaalityö, päihde- ja mielenterveyspalvelut",
            "- terveydenhuollon palvelut ja työkyvyn arviointi",
            "- Kelan ammatillinen kuntoutus ja etuusneuvonta"]),
        ("8. Henkilöstö", [
            "Osapuolet osoittavat yhteistoimintaan seuraavat henkilöstöresurssit:",
            ("Osapuoli", "Tehtävä", "Henkilötyövuodet"),
            ("Mikkelin kaupunki", "työvalmentaja", "3,0"),
            ("Etelä-Savon hyvinvointialue", "sosiaaliohjaaja", "2,0"),
            ("Etelä-Savon hyvinvointialue", "terveydenhoitaja", "0,5"),
            ("Kela", "kuntoutusasiantuntija", "0,2")]),
        ("9. Yhteistoimintaa johtava henkilö ja hänen tehtävänsä", [
            "Työvoimaviranomainen nimeää TYM-koordinaattorin, joka vastaa yhteistoiminnan "
            "käytännön johtamisesta, johtoryhmän asioiden valmistelusta ja raportoinnista."]),
        ("10. Kustannukset", [
            "Kukin osapuoli vastaa oman henkilöstönsä kustannuksista. Yhteisten tilojen "
            "vuokra jaetaan työllisyysalueen ja hyvinvointialueen kesken puoliksi."]),
        ("11. Asiakastiedot ja tietojärjestelmä", [
            "Asiakastiedot kirjataan Typpi-järjestelmään. Kukin osapuoli on "
            "rekisterinpitäjä omien asiakastietojensa osalta."]),
        ("12. Sopimuksen voimassaolo ja muuttaminen", [
            "Sopimus tulee voimaan 1.3.2025 ja on voimassa toistaiseksi. Sopimusta voidaan "
            "muuttaa osapuolten yhteisellä kirjallisella päätöksellä."]),
    ],
    "signature": ["Mikkelissä 14.2.2025", "", "Mikkelin kaupunki", "Etelä-Savon hyvinvointialue",
                  "Kansaneläkelaitos"],
}

FINNISH_UNNUMBERED = {
    "title": "Kouvolan TYM-verkoston yhteistoimintasopimus",
    "sections": [
        ("Sopimuksen tausta ja tarkoitus", [
            "Sopimuksella toimeenpannaan monialaisen tuen yhteistoimintamalli Kouvolan "
            "kaupungin alueella lain 381/2023 mukaisesti."]),
        ("Sopimuksen osapuolet", [
            "Kouvolan kaupunki",
            "Kymenlaakson hyvinvointialue",
            "Kansaneläkelaitos"]),
        ("Toiminta-alue", [
            "Toiminta-alueena on Kouvolan kaupunki."]),
        ("Johtoryhmä", [
            "Johtoryhmään nimetään edustajat työllisyysalueelta, hyvinvointialueelta ja "
            "Kelasta. Johtoryhmä vahvistaa toimintasuunnitelman vuosittain."]),
        ("Tavoitteet", [
            "Yhteistoiminnan tavoitteena on edistää monialaista tukea tarvitsevien työttömien "
            "työllistymistä sekä sujuvoittaa palveluprosessia."]),
        ("Toiminnan organisointi", [
            "Osapuolet sopivat toiminnan käytännön järjestelyistä johtoryhmässä."]),
        ("Palvelut", [
            "Asiakkaille tarjotaan osapuolten palveluja asiakkaan tarpeen mukaan."]),
        ("Verkostoa johtava henkilö", [
            "Kaupunki nimeää verkostoa johtavan henkilön."]),
        ("Kustannusten jakaminen", [
            "Kukin osapuoli vastaa omista kustannuksistaan."]),
        ("Voimassaolo", [
            "Sopimus on voimassa toistaiseksi."]),
    ],
    "signature": ["Kouvolassa 28. helmikuuta 2025", "", "Kouvolan kaupunki",
                  "Kymenlaakson hyvinvointialue", "Kansaneläkelaitos"],
}

SWEDISH = {
    "title": "Samarbetsavtal om sektorsövergripande stöd som främjar sysselsättning, "
             "TYM-nätverket i Vasaregionen",
    "sections": [
        ("§ 1 Avtalets syfte", [
            "Genom detta avtal ordnas samarbetsmodellen enligt lagen om sektorsövergripande "
            "stöd som främjar sysselsättning (381/2023) i Vasaregionen."]),
        ("§ 2 Avtalsparter", [
            "- Vasa stad, ansvarskommun för sysselsättningsområdet",
            "- Österbottens välfärdsområde",
            "- Folkpensionsanstalten (nedan FPA)"]),
        ("§ 3 Samarbetsområde", [
            "Samarbetsområdet omfattar Vasa, Korsholm, Malax, Vörå och Laihela."]),
        ("§ 4 Ledningsgrupp", [
            "Ledningsgruppen består av fyra representanter från sysselsättningsområdet, två "
            "representanter från välfärdsområdet och en representant från FPA. Ordförande är "
            "arbetskraftsmyndighetens representant."]),
        ("§ 5 Mål för samarbetet", [
            "Målet är att minst 40 procent av klienterna inom sex månader har en plan för "
            "arbete eller utbildning. Måluppfyllelsen följs upp med gemensamma mätare två "
            "gånger per år.",
            "Målgruppen är unga under 30 år och långtidsarbetslösa som behöver "
            "sektorsövergripande stöd."]),
        ("§ 6 Sätt att ordna tjänsterna", [
            "Tjänsterna ordnas i servicepunkten i Vasa centrum samt på distans. I Vörå och "
            "Malax finns mottagning varannan vecka."]),
        ("§ 7 Tjänster som erbjuds", [
            "- arbetskraftstjänster",
            "- socialarbete och missbrukarvård",
            "- hälso- och sjukvård",
            "- FPA:s rehabilitering"]),
        ("§ 8 Personal", [
            "Parterna anvisar sammanlagt 5,5 årsverken: sysselsättningsområdet 3,0, "
            "välfärdsområdet 2,0 och FPA 0,5."]),
        ("§ 9 Person som leder samarbetet och dennes uppgifter", [
            "Sysselsättningsområdet utser en samordnare som leder det praktiska samarbetet."]),
        ("§ 10 Kostnader", [
            "Varje part svarar för sina egna kostnader."]),
        ("§ 11 Kunduppgifter och informationssystem", [
            "Kunduppgifterna registreras i Typpi."]),
        ("§ 12 Avtalets giltighet och ändring", [
            "Avtalet träder i kraft den 1 april 2025 och gäller tills vidare."]),
    ],
    "signature": ["Vasa den 3 mars 2025", "", "Vasa stad", "Österbottens välfärdsområde",
                  "Folkpensionsanstalten"],
}

AGREEMENTS = {"finnish_numbered": FINNISH_NUMBERED, "finnish_unnumbered": FINNISH_UNNUMBERED,
              "swedish": SWEDISH}


def docx_bytes(agreement: dict) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(agreement["title"], level=0)
    for heading, blocks in agreement["sections"]:
        document.add_heading(heading, level=1)
        rows = [b for b in blocks if isinstance(b, tuple)]
        for block in blocks:
            if isinstance(block, tuple):
                continue
            if block.startswith("- "):
                document.add_paragraph(block[2:], style="List Bullet")
            else:
                document.add_paragraph(block)
        if rows:
            table = document.add_table(rows=len(rows), cols=len(rows[0]))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    table.cell(r, c).text = text
    for line in agreement["signature"]:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_bytes(agreement: dict) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_margins(20, 20, 20)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 7, agreement["title"], new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for heading, blocks in agreement["sections"]:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 7, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        for block in blocks:
            text = " | ".join(block) if isinstance(block, tuple) else block
            pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(6)
    for line in agreement["signature"]:
        pdf.multi_cell(0, 6, line or " ", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
