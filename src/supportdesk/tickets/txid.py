"""Transaction IDs as customers paste them: normalised, then checked against the network.

A check tells *what* does not fit (length, alphabet, prefix, a wallet address instead of a
transaction) with an error code for translation, its parameters and an English message, so
a stressed customer can fix the field on the first try. Format only: whether the
transaction exists on chain is for an explorer, not this module.
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import parse_qsl, unquote, urlsplit


class Network(StrEnum):
    BITCOIN = "bitcoin"
    LITECOIN = "litecoin"
    BITCOIN_CASH = "bitcoin-cash"
    DOGECOIN = "dogecoin"
    ETHEREUM = "ethereum"
    BSC = "bsc"
    POLYGON = "polygon"
    ARBITRUM = "arbitrum"
    OPTIMISM = "optimism"
    AVALANCHE_C = "avalanche-c"
    BASE = "base"
    TRON = "tron"
    SOLANA = "solana"
    XRP = "xrp"
    TON = "ton"
    OTHER = "other"


class Format(StrEnum):
    HEX64 = "hex64"  # Bitcoin family, TRON: 64 hexadecimal characters
    EVM = "evm"  # 0x + 64 hexadecimal characters
    XRP = "xrp"  # 64 hexadecimal characters, upper case by convention
    SOLANA = "solana"  # base58 of a 64-byte signature
    TON = "ton"  # 64 hex, or the 32-byte hash in base64 / base64url (44 characters)
    LOOSE = "loose"


@dataclass(frozen=True, slots=True)
class NetworkInfo:
    network: Network
    name: str
    format: Format
    assets: tuple[str, ...]  # what customers usually send on it, for the form's hints
    example: str = ""


_BTC_EXAMPLE = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
_EVM_EXAMPLE = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"

_N, _F = Network, Format
NETWORKS: dict[Network, NetworkInfo] = {
    info.network: info
    for info in (
        NetworkInfo(_N.BITCOIN, "Bitcoin", _F.HEX64, ("BTC",), _BTC_EXAMPLE),
        NetworkInfo(_N.LITECOIN, "Litecoin", _F.HEX64, ("LTC",), _BTC_EXAMPLE),
        NetworkInfo(_N.BITCOIN_CASH, "Bitcoin Cash", _F.HEX64, ("BCH",), _BTC_EXAMPLE),
        NetworkInfo(_N.DOGECOIN, "Dogecoin", _F.HEX64, ("DOGE",), _BTC_EXAMPLE),
        NetworkInfo(
            _N.ETHEREUM, "Ethereum (ERC-20)", _F.EVM, ("ETH", "USDT", "USDC"), _EVM_EXAMPLE
        ),
        NetworkInfo(_N.BSC, "BNB Smart Chain (BEP-20)", _F.EVM, ("BNB", "USDT"), _EVM_EXAMPLE),
        NetworkInfo(_N.POLYGON, "Polygon", _F.EVM, ("POL", "USDT", "USDC"), _EVM_EXAMPLE),
        NetworkInfo(_N.ARBITRUM, "Arbitrum One", _F.EVM, ("ETH", "USDC", "ARB"), _EVM_EXAMPLE),
        NetworkInfo(_N.OPTIMISM, "OP Mainnet", _F.EVM, ("ETH", "USDC", "OP"), _EVM_EXAMPLE),
        NetworkInfo(_N.AVALANCHE_C, "Avalanche C-Chain", _F.EVM, ("AVAX", "USDC"), _EVM_EXAMPLE),
        NetworkInfo(_N.BASE, "Base", _F.EVM, ("ETH", "USDC"), _EVM_EXAMPLE),
        NetworkInfo(_N.TRON, "TRON (TRC-20)", _F.HEX64, ("TRX", "USDT"), _BTC_EXAMPLE),
        NetworkInfo(_N.SOLANA, "Solana", _F.SOLANA, ("SOL", "USDC", "USDT")),
        NetworkInfo(_N.XRP, "XRP Ledger", _F.XRP, ("XRP",), _BTC_EXAMPLE.upper()),
        NetworkInfo(_N.TON, "TON", _F.TON, ("TON", "USDT")),
        NetworkInfo(_N.OTHER, "Other network", _F.LOOSE, ()),
    )
}


@dataclass(frozen=True, slots=True)
class TxidError:
    """``code`` is stable (translations key on it); ``message`` is the English text."""

    code: str
    message: str
    params: dict[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TxidCheck:
    txid: str  # normalised input (what would be stored when valid)
    error: TxidError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_HEX = re.compile(r"[0-9a-fA-F]*")
_LOOSE = re.compile(r"[A-Za-z0-9:_-]*")
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {char: i for i, char in enumerate(_BASE58)}
_INVISIBLE = re.compile(r"[\s\u200b-\u200f\u2060\ufeff]+")
# Legacy, P2SH and bech32 addresses of the Bitcoin family (never 64 characters long).
_BITCOIN_ADDRESS = re.compile(
    r"(?:bc1|ltc1|bitcoincash:q|[13LMDA9q])[a-km-zA-HJ-NP-Z0-9]{25,60}", re.I
)
_BARE_EXPLORER_LINKS = ("www.", "solscan.", "etherscan.", "tronscan.", "bscscan.", "tonviewer.")
_URL_KEYS = ("tx", "txs", "transaction", "transactions", "hash", "txid", "signature")


def check_txid(network: Network | str, value: str) -> TxidCheck:
    """Normalise ``value`` and check it against ``network``'s format. Never raises."""
    try:
        info = NETWORKS[Network(network)]
    except ValueError:
        return TxidCheck(
            value, _error("unknown_network", "Unknown network {network}.", network=str(network))
        )
    txid = normalize_txid(info.network, value)
    if not txid:
        return TxidCheck(txid, _error("empty", "Enter the transaction ID (hash)."))
    return TxidCheck(txid, _CHECKS[info.format](info, txid))


def normalize_txid(network: Network | str, value: str) -> str:
    """Trimmed, invisible characters and explorer URLs removed, case folded where the
    network's IDs are case-insensitive. Idempotent."""
    text = _clean(value)
    if "/" in text and ("://" in text or text.lower().startswith(_BARE_EXPLORER_LINKS)):
        # No "/" survives, so a second pass finds no link: normalising is idempotent.
        text = _clean(_hash_from_url(text)).rsplit("/", 1)[-1]
    fmt = NETWORKS[Network(network)].format
    if fmt in {Format.HEX64, Format.EVM} and _HEX.fullmatch(
        text.removeprefix("0x").removeprefix("0X")
    ):
        return text.lower()
    if fmt is Format.XRP and _HEX.fullmatch(text):
        return text.upper()
    if fmt is Format.TON and len(text) == 64 and _HEX.fullmatch(text):
        return text.lower()
    return text


def _clean(value: str) -> str:
    # NFKC folds full-width "０ｘ" from Chinese input methods; a second pass composes what
    # removing spaces brought together, so that normalising again changes nothing.
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", value))
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))


def _hash_from_url(url: str) -> str:
    """The hash in an explorer link: /tx/<hash>, /transaction/<hash>, #/transaction/<hash>
    (Tronscan), ?hash=<hash>; else the last path segment."""
    parts = urlsplit(url if "://" in url else "https://" + url)
    segments = [unquote(s) for s in (parts.path + "/" + parts.fragment).split("/") if s]
    for key, value in parse_qsl(parts.query):
        if key.lower() in _URL_KEYS and value:
            return value
    for i, segment in enumerate(segments[:-1]):
        if segment.lower() in _URL_KEYS:
            return segments[i + 1]
    return segments[-1] if segments else url


def _error(code: str, message: str, **params: str | int) -> TxidError:
    return TxidError(code=f"txid.{code}", message=message.format(**params), params=params)


def _check_hex(info: NetworkInfo, txid: str) -> TxidError | None:
    name = info.name
    if re.fullmatch(r"0x[0-9a-fA-F]{64}", txid, re.I):
        return _error(
            "unexpected_0x",
            "A transaction ID on {network} has no 0x prefix; this looks like an "
            "Ethereum-style hash. Check the network you chose.",
            network=name,
        )
    if info.network is Network.TRON and re.fullmatch(r"T[1-9A-HJ-NP-Za-km-z]{33}", txid):
        return _not_an_address(name)
    if not _HEX.fullmatch(txid) and _BITCOIN_ADDRESS.fullmatch(txid):
        return _not_an_address(name)
    return _check_hex_body(name, txid, "", "64 hexadecimal characters (0-9, a-f)")


def _check_hex_body(network: str, body: str, prefix: str, shape: str) -> TxidError | None:
    if not _HEX.fullmatch(body):
        bad = next(char for char in body if not _HEX.fullmatch(char))
        return _error(
            "not_hex",
            "A transaction ID on {network} is {shape}; \u201c{char}\u201d is not allowed.",
            network=network,
            shape=shape,
            char=bad,
        )
    if len(body) != 64:
        return _error(
            "wrong_length",
            "A transaction ID on {network} is {shape}; this has {length}.",
            network=network,
            shape=shape,
            length=len(body),
            prefix=prefix,
        )
    return None


def _check_evm(info: NetworkInfo, txid: str) -> TxidError | None:
    shape = "0x followed by 64 hexadecimal characters"
    if not txid.startswith("0x"):
        if _HEX.fullmatch(txid) and len(txid) == 64:
            return _error(
                "missing_0x",
                "A transaction hash on {network} starts with 0x. Check the network you chose.",
                network=info.name,
            )
        return _check_hex_body(info.name, txid, "0x", shape) or _error(
            "missing_0x",
            "A transaction hash on {network} starts with 0x. Check the network you chose.",
            network=info.name,
        )
    body = txid[2:]
    if len(body) == 40 and _HEX.fullmatch(body):
        return _not_an_address(info.name)
    return _check_hex_body(info.name, body, "0x", shape)


def _not_an_address(network: str) -> TxidError:
    return _error(
        "is_address",
        "This looks like a wallet address on {network}, not a transaction "
        "ID. Copy the transaction hash from your wallet's history or the explorer.",
        network=network,
    )


def _check_xrp(info: NetworkInfo, txid: str) -> TxidError | None:
    if re.fullmatch(r"r[1-9A-HJ-NP-Za-km-z]{24,34}", txid):
        return _not_an_address(info.name)
    return _check_hex_body(info.name, txid, "", "64 hexadecimal characters (0-9, A-F)")


def _check_ton(info: NetworkInfo, txid: str) -> TxidError | None:
    if len(txid) == 64 and _HEX.fullmatch(txid):
        return None
    if len(txid) == 44 and re.fullmatch(r"[A-Za-z0-9+/_-]{43}=", txid):
        try:
            if len(base64.urlsafe_b64decode(txid.replace("+", "-").replace("/", "_"))) == 32:
                return None
        except (binascii.Error, ValueError):
            pass
    if re.fullmatch(r"(?:EQ|UQ|Ef|Uf|kQ|0Q)[A-Za-z0-9_-]{46}", txid):
        return _not_an_address(info.name)
    return _error(
        "wrong_format",
        "A TON transaction hash is 64 hexadecimal characters or 44 "
        "base64 characters ending in =; this has {length} characters.",
        length=len(txid),
    )


def base58_decode(text: str) -> bytes:
    """Bitcoin-alphabet base58 (used by Solana). Raises ValueError on other characters.
    Small enough to keep here rather than add a dependency for one format check."""
    number = 0
    for char in text:
        number = number * 58 + _BASE58_INDEX[char]
    body = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\0" * (len(text) - len(text.lstrip("1"))) + body


def _check_solana(info: NetworkInfo, txid: str) -> TxidError | None:
    if len(txid) > 100:  # base58 decoding is quadratic; nothing this long can fit
        return _error(
            "wrong_length",
            "A Solana transaction signature is 87 or 88 base58 "
            "characters (64 bytes); this has {length}.",
            length=len(txid),
        )
    bad = next((char for char in txid if char not in _BASE58_INDEX), None)
    if bad is not None:
        return _error(
            "not_base58",
            "A Solana transaction signature uses base58 letters and digits "
            "(no 0, O, I or l); \u201c{char}\u201d is not allowed.",
            char=bad,
        )
    decoded = len(base58_decode(txid))
    if decoded != 64:
        if 32 <= len(txid) <= 44 and decoded == 32:
            return _not_an_address(info.name)
        return _error(
            "wrong_length",
            "A Solana transaction signature is 87 or 88 base58 characters "
            "(64 bytes); this has {length}.",
            length=len(txid),
            bytes=decoded,
        )
    return None


def _check_loose(info: NetworkInfo, txid: str) -> TxidError | None:
    if not _LOOSE.fullmatch(txid):
        bad = next(char for char in txid if not _LOOSE.fullmatch(char))
        return _error(
            "invalid_characters",
            "A transaction ID uses letters, digits, colons, "
            "hyphens and underscores; \u201c{char}\u201d is not allowed.",
            char=bad,
        )
    if not 16 <= len(txid) <= 128:
        return _error(
            "wrong_length",
            "A transaction ID is 16 to 128 characters long; this has {length}.",
            length=len(txid),
        )
    return None


_CHECKS = {
    Format.HEX64: _check_hex,
    Format.EVM: _check_evm,
    Format.XRP: _check_xrp,
    Format.SOLANA: _check_solana,
    Format.TON: _check_ton,
    Format.LOOSE: _check_loose,
}
