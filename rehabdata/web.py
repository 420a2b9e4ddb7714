"""rehabdata's own HTTP parts around Streamlit (``app.py``): the login cookie and a health URL.

Streamlit's script cannot set cookies (``st.context.cookies`` only reads them), so the app's own
routes do, answering an invisible image the page shows right after a login or logout:

- ``GET /rehab/session?claim=…`` swaps a fresh login's one-time claim for the lasting token
  (``logins.claim``) and sets it: HttpOnly, SameSite=Lax, Secure under TLS, ending with the
  browser — or, for "tetap masuk di perangkat ini", kept until the login's end (at most 12 hours).
- ``GET /rehab/session?logout=1`` clears the cookie (the login itself is already revoked).
- ``GET /rehab/health`` answers 200 when the database answers, else 503 (for monitoring).

This module never imports streamlit.
"""

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from rehabdata import logins
from rehabdata.db import get_engine, session_scope

SESSION_PATH = "/rehab/session"
HEALTH_PATH = "/rehab/health"
# A 1×1 transparent GIF: what the invisible image of ``SESSION_PATH`` receives.
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


def cookie_header(token: str, *, secure: bool, max_age: int | None = None) -> str:
    """The Set-Cookie value for a login token (``max_age`` None: ends with the browser)."""
    parts = [f"{logins.COOKIE}={token}", "Path=/", "HttpOnly", "SameSite=Lax"]
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def _session_response(claim_token: str | None, logout: bool, secure: bool) -> Response:
    response = Response(PIXEL, media_type="image/gif", headers={"Cache-Control": "no-store"})
    if logout:
        response.headers["set-cookie"] = cookie_header("", secure=secure, max_age=0)
    elif claim_token:
        with session_scope(get_engine()) as session:
            claimed = logins.claim(session, claim_token)
            if claimed is not None:
                token, login = claimed
                response.headers["set-cookie"] = cookie_header(
                    token, secure=secure, max_age=logins.cookie_max_age(login)
                )
    return response


async def session_route(request: Request) -> Response:
    """Set or clear the login cookie (see the module's docstring); always a 1×1 image."""
    forwarded = request.headers.get("x-forwarded-proto", "").lower()
    secure = request.url.scheme == "https" or forwarded == "https"
    claim_token = request.query_params.get("claim")
    logout = request.query_params.get("logout") == "1"
    return await run_in_threadpool(_session_response, claim_token, logout, secure)


def _database_answers() -> bool:
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


async def health_route(_request: Request) -> JSONResponse:
    """200 when the app and its database answer; 503 when the database does not (for monitoring)."""
    ok = await run_in_threadpool(_database_answers)
    return JSONResponse({"status": "ok" if ok else "database unavailable"}, status_code=200 if ok else 503)


def routes() -> list[Route]:
    """The app's own routes, beside Streamlit's."""
    return [
        Route(SESSION_PATH, session_route, methods=["GET"]),
        Route(HEALTH_PATH, health_route, methods=["GET", "HEAD"]),
    ]
