"""Which addresses `serve` may bind without tokens, and which Host and Origin headers it answers.

Every bind keeps the SDK's DNS-rebinding protection (a page elsewhere must not reach the server
through a name that resolves here): the loopback names always, plus each `--allowed-host`.
A name without a port is allowed bare (behind a reverse proxy on 80/443 the Host has no port)
and with any port; a name with a port only so.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from mcp.server.transport_security import TransportSecuritySettings

LOOPBACK_HOSTS = ["127.0.0.1:*", "localhost:*", "[::1]:*"]
LOOPBACK_ORIGINS = ["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def transport_security(host: str, allowed_hosts: Sequence[str] = ()) -> TransportSecuritySettings:
    """Host/Origin checks for a server bound to `host`, shared by /mcp, /health and the board."""
    hosts, origins = list(LOOPBACK_HOSTS), list(LOOPBACK_ORIGINS)
    names = list(allowed_hosts)
    if not is_loopback(host) and host not in ("0.0.0.0", "::", ""):
        names.append(f"[{host}]" if ":" in host else host)  # a client may name the address it was given
    for name in names:
        has_port = name.rsplit(":", 1)[-1].isdigit() and not name.endswith("]")
        forms = [name] if has_port else [name, f"{name}:*"]
        hosts.extend(forms)
        origins.extend(f"{scheme}://{form}" for form in forms for scheme in ("http", "https"))
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=_unique(hosts), allowed_origins=_unique(origins)
    )


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))
