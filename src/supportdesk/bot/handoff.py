"""Recognising a request for a person, or an urgent case, in any language.

Two detectors per rule, either one fires it:

* keywords: phrases in English, Chinese and Spanish, matched on case- and accent-folded
  text (an admin adds more per rule);
* exemplars: short example messages; the question's mUSE vector is compared with theirs,
  which carries the rule to languages and wordings the keyword lists do not have.

Urgent topics are cases a help article cannot solve: money taken, an account taken over,
a frozen account. They look like security questions ("how do I secure my account?")
to the retriever, which is why they are decided here, before it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from supportdesk.search import embed
from supportdesk.search.text import fold

HUMAN_KEYWORDS = (
    # English
    "human", "real person", "a person", "live agent", "an agent", "agent please",
    "talk to someone", "speak to someone", "talk to a", "speak to a", "speak with a",
    "talk with a", "representative", "customer service", "operator", "live chat",
    "call me", "not a bot", "no bot", "stop the bot", "complaint", "compensation",
    "manager", "supervisor", "investigate", "investigated",
    # Chinese
    "人工", "真人", "客服", "转接", "找个人", "活人", "投诉", "赔偿", "申诉", "负责人",
    # Spanish
    "persona real", "una persona", "un humano", "humano", "hablar con alguien",
    "un agente", "agente", "asesor", "operador", "atencion al cliente", "reclamo",
    "reclamacion", "queja", "compensacion", "indemnizacion",
)  # fmt: skip
URGENT_KEYWORDS = (
    # English
    "hacked", "hacker", "stolen", "stole", "drained", "unauthorized", "unauthorised",
    "scammed", "fraud", "compromised", "account frozen", "account is frozen",
    "account was frozen", "locked out", "someone logged", "someone accessed",
    "i didn't do", "i did not do", "wasn't me", "was not me", "not me who",
    "account suspended", "account was suspended", "account has been suspended",
    "without my permission", "withdraw everything", "withdrew everything",
    # Chinese
    "被盗", "被黑", "盗号", "被骗", "冻结", "盗走", "不是我", "被转走", "资金丢失",
    "钱没了", "币没了", "异常登录", "未经授权", "封号", "被封",
    # Spanish
    "hackearon", "hackeada", "hackeado", "robaron", "robado", "robo", "vaciaron",
    "estafa", "estafaron", "fraude", "sin autorizacion", "no autorizado", "no autorizada",
    "congelada", "congelado", "bloquearon", "no fui yo", "cuenta suspendida",
    "fue suspendida", "sin mi permiso",
)  # fmt: skip
HUMAN_EXEMPLARS = (
    "I want to talk to a real person",
    "connect me with a human agent",
    "agent please",
    "I want to file a complaint",
    "I demand compensation for my loss",
    "我要人工客服",
    "转人工",
    "我要投诉",
    "quiero hablar con una persona",
    "pásame con un agente humano",
    "quiero poner una queja",
)
URGENT_EXEMPLARS = (
    "my account was hacked",
    "someone stole my funds",
    "money disappeared from my account and I didn't do it",
    "there was a withdrawal I did not make",
    "my account has been frozen",
    "我的账户被盗了",
    "我的币被人转走了",
    "我的账户被冻结了",
    "me hackearon la cuenta",
    "me robaron los fondos",
    "hicieron un retiro que no autoricé",
    "mi cuenta está congelada",
)

# Ordinary support questions: a message must be closer to a rule's examples than to these
# by MARGIN. Short messages are all fairly similar under mUSE ("my withdrawal is pending"
# is 0.7 from "someone stole my funds"); the contrast keeps such questions with the
# articles that answer them.
ORDINARY_EXEMPLARS = (
    "my withdrawal is still pending",
    "my deposit has not arrived yet",
    "how do I reset my password",
    "how do I make my account more secure",
    "how do I enable two-factor authentication",
    "how do I change my email address",
    "how do I close my account",
    "what are the trading fees",
    "I did not receive the verification code",
    "how do I contact support",
    "我的提币一直在处理中",
    "怎么修改登录密码",
    "怎么开启双重验证",
    "怎么注销账户",
    "mi retiro sigue pendiente",
    "cómo cambio mi contraseña",
    "cómo protejo mi cuenta",
    "cómo elimino mi cuenta",
)
MARGIN = 0.05


@dataclass(frozen=True, slots=True)
class Detector:
    keywords: tuple[str, ...]
    exemplars: tuple[str, ...]
    threshold: float

    def matches(self, text: str, use_vector: embed.Matrix) -> bool:
        if self.keyword_hit(text) is not None:
            return True
        similarity = self.similarity(use_vector)
        ordinary = _max_similarity(ORDINARY_EXEMPLARS, use_vector)
        return similarity >= self.threshold and similarity >= ordinary + MARGIN

    def keyword_hit(self, text: str) -> str | None:
        return _keyword_hit(self.keywords, fold(text))

    def similarity(self, use_vector: embed.Matrix) -> float:
        return _max_similarity(self.exemplars, use_vector)


def _max_similarity(exemplars: tuple[str, ...], use_vector: embed.Matrix) -> float:
    matrix = _exemplar_vectors(exemplars)
    return float(np.max(matrix @ use_vector)) if len(matrix) else -1.0


_folded_patterns: dict[tuple[str, ...], re.Pattern[str]] = {}
_patterns_lock = threading.Lock()


def _keyword_hit(keywords: tuple[str, ...], folded: str) -> str | None:
    pattern = _folded_patterns.get(keywords)
    if pattern is None:
        with _patterns_lock:
            pattern = _folded_patterns[keywords] = _compile(keywords)
    found = pattern.search(folded)
    return found.group(0) if found else None


def _compile(keywords: tuple[str, ...]) -> re.Pattern[str]:
    # Latin keywords match whole words (so "agente" does not fire on "agentes de IA" but
    # "human" does not fire on "humanitarian"); Chinese ones anywhere, as there are no spaces.
    parts = []
    for keyword in sorted({fold(k).strip() for k in keywords if k.strip()}, key=len, reverse=True):
        escaped = re.escape(keyword)
        parts.append(escaped if not keyword.isascii() else rf"(?<!\w){escaped}(?!\w)")
    if not parts:
        return re.compile(r"(?!)")
    return re.compile("|".join(parts))


@lru_cache(maxsize=32)
def _exemplar_vectors(exemplars: tuple[str, ...]) -> embed.Matrix:
    return embed.encode_phrases(list(exemplars))
