"""/api/rates: the ECB reference rates of a day."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from ....services import rates as svc
from ..deps import ContainerDep, PrincipalDep
from ..schemas import RatesOut
from .common import IsoDay, problems

router = APIRouter(prefix="/api", tags=["rates"])

BaseQ = Annotated[
    str, Query(min_length=3, max_length=3, description="Quote the rates against this currency")
]
DayQ = Annotated[
    IsoDay | None,
    Query(
        alias="date",
        description="YYYY-MM-DD, default today; a day without rates takes the last business "
        "day before it (`as_of`). A day before the first rate (1999-01-04) gets 422 naming "
        "`date`; a base the ECB does not quote gets 422 naming `base`.",
    ),
]


@router.get("/rates", response_model=RatesOut, operation_id="rates", responses=problems())
def rates(
    _principal: PrincipalDep, c: ContainerDep, base: BaseQ = "EUR", day: DayQ = None
) -> dict[str, Any]:
    found = svc.rates_on(rates=c.rates, base=base, day=day or c.clock.today())
    return {
        "base": found.base,
        "date": found.day.isoformat(),
        "as_of": found.as_of.isoformat(),
        "source": found.source,
        "rates": {currency: svc.rate_text(rate) for currency, rate in found.rates.items()},
    }
