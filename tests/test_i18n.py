"""Every user-visible text has a translation in fi, sv and en, and the compiled
catalogs the app loads match the .po sources."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from portal.settings import LOCALES
from tests.conftest import ROOT

TRANSLATIONS = ROOT / "portal" / "translations"


def _extracted() -> Catalog:
    """What `pybabel extract -F babel.cfg .` finds, as a catalog."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog()
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def _po(locale: str) -> Catalog:
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as f:
        return read_po(f, locale=locale)


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    catalog = _extracted()
    assert len([m for m in catalog if m.id]) > 50  # the extraction really found the templates
    return catalog


def _ids(catalog: Catalog) -> set:
    return {m.id for m in catalog if m.id}


def test_the_extraction_sees_templates_and_python(extracted):
    ids = {m if isinstance(m, str) else m[0] for m in _ids(extracted)}
    assert "Skip to main content" in ids  # base.html
    assert "Page not found" in ids  # portal/web/errors.py
    assert "Employment areas" in ids  # portal/web/maps.py (map layer names)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_msgid_has_a_translation(extracted, locale):
    catalog = _po(locale)
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        strings = (translated.string if translated else None)
        if translated is None:
            problems.append(f"missing: {message.id!r}")
        elif translated.fuzzy:
            problems.append(f"fuzzy: {message.id!r}")
        elif not strings or (isinstance(strings, tuple) and not all(strings)):
            problems.append(f"untranslated: {message.id!r}")
    for message, errors in catalog.check():
        problems.extend(f"{message.id!r}: {error}" for error in errors)
    assert problems == [], (
        f"portal/translations/{locale}: run the extraction (see scripts/compile_translations.sh)"
        " and translate:\n" + "\n".join(problems))


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogs_hold_no_stale_entries(extracted, locale):
    stale = _ids(_po(locale)) - _ids(extracted)
    assert stale == set(), f"{locale}: remove or mark obsolete: {sorted(stale)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_matches_the_source(locale):
    mo_path = TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo"
    assert mo_path.exists(), "translations are not compiled: run scripts/compile_translations.sh"
    with open(mo_path, "rb") as f:
        compiled = {_key(m.id): _key(m.string) for m in read_mo(f) if m.id}
    source = {_key(m.id): _key(m.string) for m in _po(locale) if m.id}
    assert compiled == source, "the .mo is stale: run scripts/compile_translations.sh"


def _key(value):
    """Plural entries come back as lists from .mo files and tuples from .po files."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_placeholders_survive_translation():
    for locale in LOCALES:
        for message in _po(locale):
            if message.id and "%(" in str(message.id):
                assert message.python_format, (locale, message.id)
