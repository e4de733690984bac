"""Transaction-ID checks per network, with what a customer pastes and what they are told."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supportdesk.tickets import NETWORKS, Network, check_txid, normalize_txid
from supportdesk.tickets.txid import base58_decode

BTC = "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
ETH = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
TRON = "a8a8f0b0c7cbcfb6bd3ad7fa7a0b1ff2c1d4c0a3fbd2b6e6f0d8c3a4e2e59c11"
SOLANA = "4BKPLrjTyqD8JMJzbD5Ksgkw2Lfxki8Lvj9g6Win3GurExzxVuCHbLfgvUkwPBJWYheE2BGxu3nKbhjrA9DzL6p"
XRP = "E08D6E9754025BA2534A78707605E0601F03ACF2B1AC1A8F2F8D8F8E8E8E8E8E"
TON_HEX = "3f4c9f1b6a4b2a8c0d7e5f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e"
TON_B64 = "IgmLc7g9iP34YA8aQIy0pKAHh2A3YUdpxZyK1eHGCok="
TON_B64URL = "y6627NnmQgg4ShHhwXQAMPx7fE73eWM_v04x8s_umXE="

VALID = [
    (Network.BITCOIN, BTC),
    (Network.LITECOIN, BTC),
    (Network.BITCOIN_CASH, BTC),
    (Network.DOGECOIN, BTC),
    (Network.ETHEREUM, ETH),
    (Network.BSC, ETH),
    (Network.POLYGON, ETH),
    (Network.ARBITRUM, ETH),
    (Network.OPTIMISM, ETH),
    (Network.AVALANCHE_C, ETH),
    (Network.BASE, ETH),
    (Network.TRON, TRON),
    (Network.SOLANA, SOLANA),
    (Network.XRP, XRP),
    (Network.TON, TON_HEX),
    (Network.TON, TON_B64),
    (Network.TON, TON_B64URL),
    (Network.OTHER, "stellar:3389e9f0f1a65f19736cacf544c2e825313e8447f569233bb8db39aa607c8889"),
    (Network.OTHER, "AB12-cd34_EF56-gh78"),
]


@pytest.mark.parametrize(("network", "txid"), VALID)
def test_real_looking_transaction_ids_are_accepted(network: Network, txid: str) -> None:
    result = check_txid(network, txid)
    assert result.ok, result.error
    assert result.txid == txid


@pytest.mark.parametrize(
    ("network", "pasted", "stored"),
    [
        (Network.ETHEREUM, f"  {ETH.upper().replace('0X', '0x')}\n", ETH),
        (Network.ETHEREUM, f"https://etherscan.io/tx/{ETH}", ETH),
        (Network.BSC, f"https://bscscan.com/tx/{ETH}#eventlog", ETH),
        (Network.BITCOIN, f"https://mempool.space/tx/{BTC.upper()}", BTC),
        (Network.BITCOIN, f"https://blockchair.com/bitcoin/transaction/{BTC}", BTC),
        (Network.TRON, f"https://tronscan.org/#/transaction/{TRON}", TRON),
        (Network.SOLANA, f"https://solscan.io/tx/{SOLANA}?cluster=mainnet", SOLANA),
        (Network.XRP, f"https://livenet.xrpl.org/transactions/{XRP.lower()}", XRP),
        (Network.TON, f"https://tonviewer.com/transaction/{TON_HEX}", TON_HEX),
        (
            Network.TON,
            "https://tonscan.org/tx/IgmLc7g9iP34YA8aQIy0pKAHh2A3YUdpxZyK1eHGCok%3D",
            TON_B64,
        ),
        # A Chinese input method's full-width characters and a zero-width space.
        (Network.ETHEREUM, "０ｘ" + ETH[2:] + "\u200b", ETH),
        (Network.BITCOIN, BTC[:32] + "\n" + BTC[32:], BTC),  # wrapped by a chat client
    ],
)
def test_pasted_links_spaces_and_case_are_normalised(
    network: Network, pasted: str, stored: str
) -> None:
    result = check_txid(network, pasted)
    assert result.ok, result.error
    assert result.txid == stored


@pytest.mark.parametrize(
    ("network", "pasted", "code", "message_part"),
    [
        (Network.ETHEREUM, ETH[:-2], "txid.wrong_length",
         "0x followed by 64 hexadecimal characters; this has 62"),
        (Network.ETHEREUM, ETH[2:], "txid.missing_0x", "starts with 0x"),
        (Network.ETHEREUM, ETH[:-1] + "g", "txid.not_hex", "\u201cg\u201d is not allowed"),
        (Network.ETHEREUM, "0x742d35Cc6634C0532925a3b844Bc454e4438f44e", "txid.is_address",
         "wallet address"),
        (Network.BITCOIN, ETH, "txid.unexpected_0x", "Check the network you chose"),
        (Network.BITCOIN, BTC + "00", "txid.wrong_length", "this has 66"),
        (Network.BITCOIN, "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "txid.is_address",
         "wallet address"),
        (Network.TRON, "TJRabPrwbZy45sbavfcjinPJC18kjpRTv8", "txid.is_address", "wallet address"),
        (Network.TRON, TRON[:63] + "z", "txid.not_hex", "\u201cz\u201d"),
        (Network.SOLANA, SOLANA[:-10], "txid.wrong_length", "this has 77"),
        (Network.SOLANA, SOLANA[:-1] + "0", "txid.not_base58", "\u201c0\u201d is not allowed"),
        (Network.SOLANA, "7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU", "txid.is_address",
         "wallet address"),
        (Network.XRP, "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "txid.is_address", "wallet address"),
        (Network.XRP, XRP[:60], "txid.wrong_length", "this has 60"),
        (Network.TON, TON_B64[:-4] + "====", "txid.wrong_format", "44 base64 characters"),
        (Network.TON, "EQD2NmD_lH5f5u1Kj3KfGyTvhZSX0Eg6qp2a5IQUKXxOG21n", "txid.is_address",
         "wallet address"),
        (Network.OTHER, "abc123", "txid.wrong_length", "16 to 128"),
        (Network.OTHER, "abc 123 / 456 7890 xyz", "txid.invalid_characters", "\u201c/\u201d"),
        (Network.ETHEREUM, "   ", "txid.empty", "Enter the transaction ID"),
        ("dogechain-classic", BTC, "txid.unknown_network", "Unknown network"),
    ],
)  # fmt: skip
def test_what_does_not_fit_is_said_with_a_stable_code(
    network: str, pasted: str, code: str, message_part: str
) -> None:
    result = check_txid(network, pasted)
    assert not result.ok
    assert result.error is not None
    assert result.error.code == code
    assert message_part in result.error.message


def test_every_network_has_a_display_name_and_asset_hints() -> None:
    assert set(NETWORKS) == set(Network)
    assert NETWORKS[Network.TRON].name == "TRON (TRC-20)"
    assert "USDT" in NETWORKS[Network.TRON].assets
    for info in NETWORKS.values():
        assert info.name
        if info.example:
            assert check_txid(info.network, info.example).ok


def test_base58_decoding_keeps_leading_zero_bytes() -> None:
    assert base58_decode("1112") == b"\0\0\0\x01"
    assert len(base58_decode(SOLANA)) == 64


hex64 = st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)
noise = st.sampled_from(["", " ", "\n", "\t", "\u200b", "  \r\n"])


@given(network=st.sampled_from(list(Network)), text=st.text(max_size=200))
def test_checking_never_raises_and_normalising_is_idempotent(network: Network, text: str) -> None:
    result = check_txid(network, text)
    assert normalize_txid(network, result.txid) == result.txid
    assert result.ok or (result.error is not None and result.error.code.startswith("txid."))


@given(body=hex64, before=noise, after=noise, upper=st.booleans())
def test_valid_evm_hashes_survive_whitespace_and_case(
    body: str, before: str, after: str, upper: bool
) -> None:
    pasted = before + "0x" + (body.upper() if upper else body) + after
    for network in (Network.ETHEREUM, Network.BASE, Network.POLYGON):
        result = check_txid(network, pasted)
        assert result.ok and result.txid == "0x" + body


@given(body=hex64, before=noise, after=noise)
def test_valid_hex_ids_survive_explorer_links(body: str, before: str, after: str) -> None:
    assert (
        check_txid(Network.BITCOIN, f"{before}https://mempool.space/tx/{body}{after}").txid == body
    )
    assert check_txid(Network.XRP, before + body + after).txid == body.upper()


@given(body=st.text(alphabet="0123456789abcdef", max_size=130).filter(lambda s: len(s) != 64))
def test_wrong_length_hex_is_never_accepted_and_the_length_is_reported(body: str) -> None:
    result = check_txid(Network.TRON, body)
    assert not result.ok and result.error is not None
    if body and result.error.code == "txid.wrong_length":
        assert f"this has {len(body)}" in result.error.message


link_pieces = st.sampled_from(
    ["https://", "://", "/", "tx", "#", "?hash=", "%2F", "%3A%2F%2F", "0x", "=", "www.", " ", BTC]
)


@given(network=st.sampled_from(list(Network)), pieces=st.lists(link_pieces, max_size=8))
def test_normalising_link_like_input_is_idempotent(network: Network, pieces: list[str]) -> None:
    once = normalize_txid(network, "".join(pieces))
    assert normalize_txid(network, once) == once
