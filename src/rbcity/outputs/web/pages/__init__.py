"""The dashboard's pages (Jinja2, server-rendered; HTMX swaps the city table as you type).

Every page is Chinese by default and English with ``?lang=en``; the switch link in the header
keeps the current page and its filters. Pages show what the lower layers stored — registry
facts, observations, the engines' results — and compute no index of their own.

One module per page family, each with its own router; ``common`` holds what they share.
A new page family is a new module added to ``FAMILIES``.
"""

from __future__ import annotations

from fastapi import APIRouter

from rbcity.outputs.web.pages import (
    account,
    cities,
    data,
    engines,
    forms,
    overview,
    programmes,
    rerun,
)

FAMILIES = (overview, cities, engines, programmes, data, account, rerun, forms)

router = APIRouter(include_in_schema=False)
for _family in FAMILIES:
    router.include_router(_family.router)
