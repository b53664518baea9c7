"""Shared pieces of the accounts, editing and history tests: a small registry of two
networks loaded through the real bundle validation, accounts of every role, signing a
test client in, and a fingerprint of everything a refused request must leave alone."""

from __future__ import annotations

import copy
import hashlib
import json

from sqlalchemy import func, select

from portal.registry.agreements.models import AgreementDocument
from portal.registry.audit.models import AuditEvent
from portal.registry.bundle.export import dump, export_registry
from portal.registry.bundle.load import load_registry
from portal.registry.users import services
from portal.registry.users.models import LoginAttempt, User, UserNetwork

A, B = "ek", "ku"  # Etelä-Karjala (county 11) and Keski-Uusimaa (county 02)
CSRF = "test-csrf-token"
PASSWORD = "correct horse battery staple"


def _network(network_id: str, county: str, area: str, name: str) -> dict:
    return {
        "id": network_id, "name_fi": f"TYM {name}", "name_sv": f"TYM {name} sv",
        "county": county, "status": "confirmed", "valid_from": "2025-01-01",
        "valid_to": None, "last_confirmed_on": "2025-06-01", "employment_areas": [area],
        "municipality_exceptions": [],
        "leaders": [{"title": "TYM-koordinaattori", "organisation": f"Työllisyysalue {name}",
                     "name": None, "public_contact": None, "valid_from": "2025-01-01",
                     "valid_to": None}],
        "steering_groups": [{"valid_from": "2025-01-01", "valid_to": None,
                             "chair": "employment_authority", "vice_chair": "county_social",
                             "seats": {"employment_authority": 5, "county_social": 1,
                                       "county_health": 1, "kela": 1},
                             "member_names": {}}],
        "agreements": [{"parties": [f"Työllisyysalue {name}", "Hyvinvointialue", "Kela"],
                        "signed_on": "2024-12-01", "valid_from": "2025-01-01",
                        "valid_to": None, "document_url": None,
                        "sections": {"1": "general", "2": "specific"},
                        "objectives_specific": False, "target_group_defined": None,
                        "shared_service_points": True,
                        "services": {"employment": True, "social": True, "health": False,
                                     "kela_rehabilitation": False, "benefit_advice": False},
                        "cost_sharing": "each_bears_own", "information_system": "Typpi"}],
        "staff": [{"year": 2026, "organisation": "employment_authority",
                   "profession": "TYM-koordinaattori", "sector": "employment", "fte": 1.0},
                  {"year": 2026, "organisation": "county", "profession": "sosiaaliohjaaja",
                   "sector": "social", "fte": 1.5}],
        "maturity": [{"year": 2025, "level": 3, "assessed_on": "2025-11-01", "notes": ""}],
    }


BUNDLE = {"format": "tym-registry/1", "synthetic": True, "source": "test bundle",
          "networks": [_network(A, "11", "etela-karjala", "Etelä-Karjala"),
                       _network(B, "02", "keski-uusimaa", "Keski-Uusimaa")],
          "typ_networks": []}


def load_small_registry(session) -> None:
    load_registry(session, copy.deepcopy(BUNDLE))
    session.commit()


def make_user(session, email: str, role: str, networks: tuple[str, ...] = (),
              password: str | None = None) -> User:
    user, token = services.add_user(session, email, role)
    for network_id in networks:
        services.assign(session, user, network_id)
    if password:
        services.set_password_with_token(session, token, password)
    session.commit()
    return user


def sign_in(client, user: User | None) -> None:
    """Sign ``client`` in as ``user`` (None: anonymous) with a known CSRF token; pages
    in English, so tests can read the messages' msgids."""
    client.set_cookie("tym_lang", "en")
    with client.session_transaction() as s:
        s.clear()
        s["csrf"] = CSRF
        if user is not None:
            s["uid"] = user.id
            s["sv"] = user.session_version
            s.permanent = True


def fingerprint(session) -> str:
    """Everything a refused request must leave as it was: the registry (as its
    canonical export), row counts of accounts, documents and login attempts, and the
    number of audit events."""
    session.expire_all()
    counts = {model.__tablename__: session.scalar(select(func.count()).select_from(model))
              for model in (User, UserNetwork, AgreementDocument, LoginAttempt, AuditEvent)}
    users = [(u.email, u.role.value, u.active, u.session_version, u.password_hash,
              u.token_hash) for u in session.scalars(select(User).order_by(User.id))]
    text = dump(export_registry(session)) + json.dumps([counts, users], default=str)
    return hashlib.sha256(text.encode()).hexdigest()
