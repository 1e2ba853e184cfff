"""Requests the server sends to an address a bakery typed in: the shops'
recall webhooks (server-side request forgery, OWASP API7).

A webhook URL makes the server POST from inside its own network, so it may
only lead to a public address: not this machine (127.0.0.0/8, ::1), not a
private network (10/8, 172.16/12, 192.168/16, fc00::/7), not link-local
(169.254/16, where clouds keep their metadata service, fe80::/10), not
carrier-grade NAT (100.64/10), multicast, 0.0.0.0 or another reserved range —
however it is written (2130706433, 0x7f.1, 127.1, ::ffff:127.0.0.1,
2002:7f00:1::) and whatever a host name resolves to. Only http(s), and no
user name or password in the URL (the webhook secret signs the request).

The operator can let inside targets through with ``BAKEPRINT_WEBHOOK_ALLOW``:
host names, addresses and networks, comma-separated.

The check runs when the URL is entered (a name that does not resolve yet is
accepted) and again before every send: the name is resolved once, every
address it resolves to must pass, and the connection goes to the checked
address (the Host header and the TLS server name stay the URL's), so a DNS
answer that changes between the check and the connection (DNS rebinding)
cannot bring an inside address in.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from typing import Any

import httpx

from bakeprint.errors import Invalid

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], list[IPAddress]]

SETTING = "BAKEPRINT_WEBHOOK_ALLOW"
CGNAT = ipaddress.ip_network("100.64.0.0/10")
# what inet_aton reads as an IPv4 address: 2130706433, 0x7f.1, 0177.0.0.1
_LEGACY_V4 = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)
_HOSTNAME = re.compile(
    r"(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?"
    r"(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?)*"
)
RESOLVE_AT_ENTRY_S = 3.0  # a form must not hang on a slow resolver

# why an address is refused: (zh, en)
KINDS: dict[str, tuple[str, str]] = {
    "unspecified": ("未指定地址", "an unspecified address"),
    "loopback": ("本机回环地址", "a loopback address"),
    "link_local": ("链路本地地址", "a link-local address"),
    "multicast": ("组播地址", "a multicast address"),
    "cgnat": ("运营商级 NAT 共享地址", "a carrier-grade NAT address"),
    "private": ("内部网络地址", "a private network address"),
    "reserved": ("保留地址", "a reserved address"),
    "teredo": ("Teredo 隧道地址", "a Teredo tunnel address"),
    "not_global": ("非公网地址", "an address that is not public"),
}


class Refused(Exception):
    """Why a URL may not be sent to, in zh-CN and English."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class Allow:
    """The operator's exceptions: host names, and networks (an address is a
    network of one)."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> Allow:
        hosts: set[str] = set()
        networks: list[IPNetwork] = []
        for item in (x.strip() for x in re.split(r"[,\s]+", text or "")):
            if not item:
                continue
            try:
                networks.append(ipaddress.ip_network(item.strip("[]"), strict=False))
                continue
            except ValueError:
                pass
            name = item.lower().rstrip(".")
            if not _HOSTNAME.fullmatch(name):
                raise ValueError(
                    f"{SETTING}: {item!r} is neither a host name, an address nor "
                    "a network such as 10.0.0.0/8"
                )
            hosts.add(name)
        return cls(frozenset(hosts), tuple(networks))

    def admits(self, host: str, ip: IPAddress) -> bool:
        if host in self.hosts:
            return True
        plain = _unwrap(ip)
        return any(plain in net for net in self.networks)


def _unwrap(ip: IPAddress) -> IPAddress:
    """An IPv4 address carried inside IPv6 (::ffff:a.b.c.d, 6to4) as itself."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = ip.ipv4_mapped or ip.sixtofour
        if inner is not None:
            return inner
    return ip


def address_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address (a key of ``KINDS``), or None."""
    ip = _unwrap(ip)
    if isinstance(ip, ipaddress.IPv6Address) and ip.teredo is not None:
        return "teredo"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("loopback", ip.is_loopback),
        ("link_local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("cgnat", ip in CGNAT),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("not_global", not ip.is_global),
    )
    return next((kind for kind, hit in checks if hit), None)


def literal(host: str) -> IPAddress | None:
    """The address a host written as an address stands for, in any spelling
    the system resolver accepts (so 2130706433 is 127.0.0.1)."""
    bare = host.strip("[]")
    try:
        return ipaddress.ip_address(bare)
    except ValueError:
        pass
    if _LEGACY_V4.fullmatch(bare) and any(c.isdigit() for c in bare):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(bare))
        except OSError:
            return None
    return None


def system_resolve(host: str) -> list[IPAddress]:
    """Every address the system resolver gives for ``host`` (OSError if none)."""
    out: list[IPAddress] = []
    for *_, sockaddr in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM):
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
        if ip not in out:
            out.append(ip)
    if not out:
        raise OSError(f"{host} has no address")
    return out


def parse_url(url: str) -> httpx.URL:
    """The URL if it is one we may send to at all (scheme, credentials, host)."""
    text = url.strip()
    if not text or any(c.isspace() or ord(c) < 32 for c in text):
        raise Refused(
            "请填写完整的网址，不能含空格", "give the whole URL, without spaces"
        )
    try:
        u = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise Refused(
            f"不是有效的网址：{text[:80]}", f"not a valid URL: {text[:80]}"
        ) from None
    if u.scheme not in ("http", "https"):
        raise Refused(
            "召回通知地址须以 https:// 或 http:// 开头",
            "a recall notice URL starts with https:// or http://",
        )
    if u.userinfo:
        raise Refused(
            "网址里不能含用户名或密码：门店用通知密钥验证签名",
            "the URL may not hold a user name or password: the shop checks the "
            "signature made with the webhook secret instead",
        )
    host = u.raw_host.decode("ascii")
    if not host or "%" in host:
        raise Refused("网址缺少主机名", "the URL names no host")
    return u


def _host(u: httpx.URL) -> str:
    return u.raw_host.decode("ascii").lower().rstrip(".")


def _refused(host: str, ip: IPAddress, kind: str) -> Refused:
    zh, en = KINDS[kind]
    # a name's address is not echoed: the answer must not map inside names
    named = literal(host) is None
    where_zh = f"{host} 解析到的就是这类地址" if named else str(ip)
    where_en = f"{host} resolves to one" if named else str(ip)
    return Refused(
        f"召回通知不能发往{zh}（{where_zh}）：服务器会从它自己的网络里发出请求。"
        f"如确有需要，请服务器管理员在 {SETTING} 中放行",
        f"recall notices may not go to {en} ({where_en}): the server would "
        f"send them from inside its own network. If it must, the server's "
        f"operator can allow it in {SETTING}",
    )


def check_address(host: str, ip: IPAddress, allow: Allow) -> None:
    if allow.admits(host, ip):
        return
    kind = address_kind(ip)
    if kind is not None:
        raise _refused(host, ip, kind)


def _is_localhost(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")  # RFC 6761


@dataclass(frozen=True)
class Pinned:
    """A request target whose address was checked: connect to ``url`` (the
    address itself), say ``host`` in the Host header and ``sni`` in TLS."""

    url: str
    host: str
    sni: str | None

    @property
    def extensions(self) -> dict[str, Any]:
        return {"sni_hostname": self.sni} if self.sni else {}


def pin(url: str, *, allow: Allow, resolve: Resolver = system_resolve) -> Pinned:
    """Check ``url`` at send time and fix the address to connect to."""
    u = parse_url(url)
    host = _host(u)
    lit = literal(host)
    if lit is not None:
        addrs = [lit]
    else:
        try:
            addrs = resolve(host)
        except OSError:
            raise Refused(f"找不到主机 {host}", f"cannot resolve {host}") from None
        if not addrs:
            raise Refused(f"找不到主机 {host}", f"cannot resolve {host}")
    for ip in addrs:  # every answer must pass, not just the one used
        check_address(host, ip, allow)
    target = u.copy_with(host=str(addrs[0]))
    return Pinned(
        url=str(target),
        host=u.netloc.decode("ascii"),
        sni=host if u.scheme == "https" and lit is None else None,
    )


_entry_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bp-resolve")


def check_entry(url: str, *, allow: Allow, resolve: Resolver = system_resolve) -> str:
    """``url`` (stripped) if recall notices may be sent there; else Invalid
    naming the field. A name that does not resolve now is accepted: it is
    checked again before every send."""
    try:
        u = parse_url(url)
        host = _host(u)
        lit = literal(host)
        if lit is not None:
            check_address(host, lit, allow)
        elif _is_localhost(host) and host not in allow.hosts:
            raise _refused(host, ipaddress.ip_address("127.0.0.1"), "loopback")
        else:
            try:
                addrs = _entry_pool.submit(resolve, host).result(RESOLVE_AT_ENTRY_S)
            except (OSError, FutureTimeout):
                addrs = []
            for ip in addrs:
                check_address(host, ip, allow)
    except Refused as exc:
        raise Invalid(exc.zh, exc.en, field="webhook_url") from None
    return url.strip()
