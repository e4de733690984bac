"""The import with the real search index behind it (the other help-center tests stub it)."""

from __future__ import annotations

from supportdesk.helpcenter.importer import ParsedArticle, import_documents


async def test_an_import_goes_through_the_real_search_index(services):
    documents = [
        ParsedArticle("pending", "en", "Pending withdrawal", "Wait 30 minutes.", "withdrawals"),
        ParsedArticle("pending", "es", "Retiro pendiente", "Espera 30 minutos.", "withdrawals"),
    ]
    report = await import_documents(services.db, documents)
    assert (report.created, report.rejected) == (2, [])
    again = await import_documents(services.db, documents)
    assert again.unchanged == 2
