"""Tickets: conversations from email, the web form and offline chats (storage comes later).

Today: transaction-ID checks for the payment / transaction problem form.
"""

from supportdesk.tickets.txid import (
    NETWORKS,
    Network,
    NetworkInfo,
    TxidCheck,
    TxidError,
    check_txid,
    normalize_txid,
)

__all__ = [
    "NETWORKS",
    "Network",
    "NetworkInfo",
    "TxidCheck",
    "TxidError",
    "check_txid",
    "normalize_txid",
]
