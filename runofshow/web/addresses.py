"""Where a server is reachable: the addresses of this machine's network interfaces, never 0.0.0.0."""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass

WILDCARD_HOSTS = frozenset({"0.0.0.0", "", "::", "[::]"})
LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
# The UDP "connect" sends nothing: it only asks the kernel which local address would route to a public one.
ROUTE_PROBE = ("192.0.2.1", 9)


@dataclass(frozen=True)
class Interface:
    """One address of a network interface (its name when known)."""

    address: str
    name: str = ""

    @property
    def loopback(self) -> bool:
        """True for 127.0.0.0/8 and ::1: reachable from this machine only."""
        return _is_ip(self.address) and _ip(self.address).is_loopback

    @property
    def link_local(self) -> bool:
        """True for fe80::/10 and 169.254.0.0/16: not worth printing (needs a zone, or no DHCP)."""
        return _is_ip(self.address) and _ip(self.address).is_link_local


@dataclass(frozen=True)
class Reachable:
    """Where the crew can open the server: base URLs and whether only this machine can."""

    urls: tuple[tuple[str, str], ...]  # (base URL, interface name)
    local_only: bool


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address parsed (without brackets or a zone)."""
    return ipaddress.ip_address(address.strip("[]").split("%", 1)[0])


def _is_ip(text: str) -> bool:
    """True when `text` is an IP address rather than a host name."""
    try:
        _ip(text)
    except ValueError:
        return False
    return True


def base_url(address: str, port: int) -> str:
    """`http://address:port` with IPv6 addresses in brackets."""
    host = address.strip("[]")
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def is_loopback_host(host: str) -> bool:
    """True when `host` (a name or an address, without a port) is this machine only."""
    return host in LOOPBACK_NAMES or (_is_ip(host) and _ip(host).is_loopback)


def reachable(host: str, port: int, interfaces: list[Interface]) -> Reachable:
    """The base URLs a server bound to `host` answers on, the network's first and loopback last (pure)."""
    if host in WILDCARD_HOSTS:
        ipv6 = host != "0.0.0.0"
        chosen = [i for i in interfaces if not i.link_local and (ipv6 or ":" not in i.address)]
    elif is_loopback_host(host):
        chosen = [Interface(host if _is_ip(host) else "127.0.0.1", "loopback")]
    else:
        chosen = [next((i for i in interfaces if i.address == host), Interface(host))]
    unique = list(dict.fromkeys(chosen))
    unique.sort(key=lambda i: (i.loopback, ":" in i.address))
    if not unique:
        unique = [Interface("127.0.0.1", "loopback")]
    return Reachable(tuple((base_url(i.address, port), i.name) for i in unique),
                     local_only=all(i.loopback for i in unique))


def from_ip_json(text: str) -> list[Interface]:
    """The interface addresses in the output of `ip -j addr` (pure)."""
    found: list[Interface] = []
    for link in json.loads(text or "[]"):
        if "UP" not in link.get("flags", ["UP"]):
            continue
        for info in link.get("addr_info", []):
            if info.get("family") in ("inet", "inet6") and info.get("local"):
                found.append(Interface(info["local"], link.get("ifname", "")))
    return found


def _from_ip_command() -> list[Interface]:
    """This machine's addresses from `ip -j addr`, or none when there is no `ip` or it fails."""
    ip = shutil.which("ip") or next((p for p in ("/usr/sbin/ip", "/sbin/ip") if os.path.exists(p)), None)
    if ip is None:
        return []
    try:
        done = subprocess.run([ip, "-j", "addr"], capture_output=True, text=True, timeout=2, check=True)
        return from_ip_json(done.stdout)
    except (OSError, subprocess.SubprocessError, ValueError):
        return []


def _from_socket() -> list[Interface]:
    """This machine's addresses from its host name and the address that routes outwards (standard library only)."""
    found: list[Interface] = [Interface("127.0.0.1", "loopback")]
    try:
        for *_, sockaddr in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET):
            found.append(Interface(str(sockaddr[0])))
    except OSError:
        pass
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(ROUTE_PROBE)
            found.append(Interface(probe.getsockname()[0]))
    except OSError:
        pass
    return found


def interface_addresses() -> list[Interface]:
    """Every address of this machine's interfaces that are up, each once."""
    unique: dict[str, Interface] = {}
    for interface in _from_ip_command() or _from_socket():
        unique.setdefault(interface.address, interface)
    return list(unique.values())
