"""The accessibility statement (Act 306/2019) and the privacy notice (GDPR Art. 13).

Their text is legal prose written per language (``templates/statements/<page>.<lang>.html``),
not assembled from catalog fragments: a translator or the legal owner reviews each one
as a whole. The page frame (title, navigation) is translated as usual. Contact
addresses and the provider's name are settings (``FEEDBACK_EMAIL``, ``PRIVACY_EMAIL``,
``SERVICE_PROVIDER``).
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template
from flask_babel import gettext

from portal.i18n import current_locale

bp = Blueprint("statements", __name__)

# Update these when the statement is reviewed (at least once a year, Act 306/2019).
ACCESSIBILITY_PREPARED = dt.date(2026, 11, 22)
ACCESSIBILITY_REVIEWED = dt.date(2026, 11, 22)
PRIVACY_UPDATED = dt.date(2026, 11, 22)


def _contacts() -> dict:
    config = current_app.config
    feedback = config.get("FEEDBACK_EMAIL") or ""
    return {"provider": config.get("SERVICE_PROVIDER") or "",
            "feedback_email": feedback,
            "privacy_email": config.get("PRIVACY_EMAIL") or feedback,
            "public_url": (config.get("PUBLIC_URL") or "").rstrip("/")}


@bp.get("/accessibility")
def accessibility():
    return render_template("statements/page.html", title=gettext("Accessibility statement"),
                           body=f"statements/accessibility.{current_locale()}.html",
                           prepared=ACCESSIBILITY_PREPARED, reviewed=ACCESSIBILITY_REVIEWED,
                           **_contacts())


@bp.get("/privacy")
def privacy():
    return render_template("statements/page.html", title=gettext("Privacy notice"),
                           body=f"statements/privacy.{current_locale()}.html",
                           updated=PRIVACY_UPDATED, **_contacts())
