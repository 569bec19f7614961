"""``/api/cities``: the 262 cities with the CLI's filters, and one city with its code history."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from rbcity.outputs.web.api.common import FmtQ, Limit, Offset, Page, ReaderDep, page_or_csv, records

router = APIRouter(tags=["cities"])

CITY_COLUMNS = ["unit_id", "seq", "name", "province", "level", "parent", "parent_id", "type_2013",
                "exhausted_batch", "admin_code_2013", "admin_codes_now", "names_now",
                "resource_kind", "verification", "lon", "lat", "source", "note"]

Filter = Annotated[str | None, Query(max_length=64)]


def check_filters(**filters: str | None) -> dict:
    """Each filter checked by the registry's own parser; a bad one → 422 naming its field."""
    from rbcity.outputs.web.errors import FieldError
    from rbcity.registry.query import (
        FilterError,
        parse_exhausted,
        parse_level,
        parse_province,
        parse_type,
    )

    parsers = {"province": parse_province, "level": parse_level, "type": parse_type,
               "exhausted": parse_exhausted}
    for field, parse in parsers.items():
        value = filters.get(field)
        if value is not None and value.strip():
            try:
                parse(value)
            except FilterError as exc:
                raise FieldError(field, str(exc)) from None
    return {"province": filters.get("province") or None, "level": filters.get("level") or None,
            "type_": filters.get("type") or None, "exhausted": filters.get("exhausted") or None,
            "resource": (filters.get("resource") or "").strip() or None,
            "search": (filters.get("search") or "").strip() or None}


@router.get("/cities", response_model=Page, summary="资源型城市列表 list the 262 cities, filtered",
            responses={200: {"content": {"text/csv": {}}}, 422: {"description": "bad filter value"}})
def list_cities(reader: ReaderDep, province: Filter = None, level: Filter = None,
                type: Filter = None, exhausted: Filter = None, resource: Filter = None,
                search: Filter = None, limit: Limit = 300, offset: Offset = 0, fmt: FmtQ = "json"):
    """Filters as in ``rbcity cities``: province (黑龙江/Heilongjiang), level
    (地级行政区|县级市|县|市辖区), type (成长型|成熟型|衰退型|再生型 or growth…), exhausted
    (yes|no|2008|2009|2011), resource (text), search (text in names, province, parent)."""
    kw = check_filters(province=province, level=level, type=type, exhausted=exhausted,
                       resource=resource, search=search)
    df = reader.filter_cities(**kw)[CITY_COLUMNS]
    return page_or_csv(df, limit, offset, fmt, "cities")


@router.get("/cities/{city}", summary="一个城市及其代码沿革 one city with its code history",
            responses={404: {"description": "unknown city"}, 409: {"description": "ambiguous name"}})
def get_city(reader: ReaderDep,
             city: Annotated[str, Path(max_length=64, description="2013 name, today's name, short name or any code")]
             ) -> dict[str, Any]:
    m = reader.resolve(city)
    row = reader.city(m.unit_id)
    rec = records(row.to_frame().T.reset_index(names="unit_id")[CITY_COLUMNS])[0]
    rec["matched_by"] = m.matched_by
    rec["code_history"] = records(reader.code_history(m.unit_id))
    return rec
