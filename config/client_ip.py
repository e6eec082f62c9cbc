"""The address of the person at the other end, even behind the load balancer.

Behind a load balancer every request comes from the balancer's own address
(REMOTE_ADDR), so log-in limits keyed on it would lump every user together: one
person typing wrong passwords would lock everyone out. The balancer tells us the
real address in a header (X-Forwarded-For by default), but anyone can send that
header too. So it is believed only when the request comes from a proxy listed in
TRUSTED_PROXIES, and only the part of it our own proxies wrote: the right-most
address that is not one of them. Everything to its left was written by the client
and may be made up.
"""

import ipaddress
from functools import cache

from django.conf import settings


def client_ip(request):
    """The client's address, canonical (so one IPv6 address is always spelled one way).

    Used by django-axes (AXES_CLIENT_IP_CALLABLE) for log-in limits and log-in records.
    A malformed header never fails the request: it is ignored.
    """
    remote = _parse(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None  # no socket address at all (a test client, a Unix socket): nothing to key on
    if not _is_trusted(remote):
        return str(remote)
    forwarded = request.META.get(_meta_key(settings.CLIENT_IP_HEADER), "")
    client = remote
    for part in reversed(forwarded.split(",")):
        address = _parse(part)
        if address is None:
            # Our own proxy wrote no valid address here: the hop before it is unknown,
            # so the nearest address we can vouch for stands in for the client.
            break
        client = address
        if not _is_trusted(address):
            break
    return str(client)


def _parse(value):
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    # An IPv4 client reaching an IPv6 socket shows up as ::ffff:a.b.c.d; count it as a.b.c.d.
    return getattr(address, "ipv4_mapped", None) or address


def _is_trusted(address):
    return any(address in network for network in _trusted_networks(tuple(settings.TRUSTED_PROXIES)))


@cache
def _trusted_networks(proxies):
    return [ipaddress.ip_network(proxy, strict=False) for proxy in proxies]


def _meta_key(header):
    """X-Forwarded-For -> HTTP_X_FORWARDED_FOR, as Django names request headers in META."""
    return "HTTP_" + header.strip().upper().replace("-", "_")
