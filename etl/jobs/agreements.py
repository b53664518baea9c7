"""Job ``agreement_proposals``: read the text of each agreement document not analysed
yet and store a proposed coding on it for an editor to confirm (see
``portal.registry.agreements.proposals``). A document whose text cannot be read is
quarantined with the reason and not tried again."""

from __future__ import annotations

from etl.runs import JobContext, Outcome, Rejected
from etl.sources.documents import DocumentError, extract_text
from etl.transforms.agreements import propose
from portal.registry.agreements.models import AgreementDocument
from portal.registry.agreements.proposals import (
    documents_to_analyse,
    store_failure,
    store_proposal,
)


def analyse(document: AgreementDocument) -> str | None:
    """Extract and propose for one document; return the reason when it cannot be read."""
    try:
        text = extract_text(document.data, document.filename)
    except DocumentError as exc:
        store_failure(document, str(exc))
        return str(exc)
    store_proposal(document, text, propose(text))
    return None


def run(context: JobContext) -> Outcome:
    outcome = Outcome(source="agreement_documents")
    with context.database.transaction(context.actor) as session:
        documents = documents_to_analyse(session)
        for document in documents:
            outcome.rows_read += 1
            reason = analyse(document)
            if reason is None:
                outcome.rows_accepted += 1
            else:
                outcome.rejected.append(Rejected(None, {
                    "document_id": document.id, "network_id": document.network_id,
                    "filename": document.filename}, reason))
        session.flush()
    outcome.rows_changed = outcome.rows_read
    outcome.message = (f"{outcome.rows_accepted} documents given a proposed coding, "
                       f"{outcome.rows_rejected} could not be read"
                       if documents else "no documents waiting for a proposal")
    return outcome
