"""The request that a service runs for, so that audit rows carry the client address.

Services receive the actor explicitly; the address is ambient because it is a property of the
transport, not of the business action.
"""

from __future__ import annotations

from contextvars import ContextVar

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)
