"""A synthetic help center for bench/bot.py: N articles, each in English, Chinese and Spanish.

Each article is one combination of a product, an action and a context from parallel word
lists, so its three translations say the same thing and no two articles share a title.
Bodies are built from sentence templates to the lengths of real articles (about 150
words, or about 250 Chinese characters). Seeded: every run builds the same corpus.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

LOCALES = ("en", "zh", "es")

PRODUCTS = [
    ("withdrawal", "提币", "retiro"),
    ("deposit", "充值", "depósito"),
    ("futures position", "合约仓位", "posición de futuros"),
    ("margin loan", "杠杆借款", "préstamo de margen"),
    ("staking plan", "质押计划", "plan de staking"),
    ("savings product", "理财产品", "producto de ahorro"),
    ("P2P order", "P2P订单", "orden P2P"),
    ("bank transfer", "银行转账", "transferencia bancaria"),
    ("card payment", "银行卡支付", "pago con tarjeta"),
    ("API key", "API密钥", "clave API"),
    ("sub-account", "子账户", "subcuenta"),
    ("grid bot", "网格机器人", "bot de cuadrícula"),
    ("copy trade", "跟单交易", "operación de copy trading"),
    ("limit order", "限价单", "orden límite"),
    ("stop-loss order", "止损单", "orden stop-loss"),
    ("referral reward", "邀请奖励", "recompensa por referido"),
    ("voucher", "体验券", "cupón"),
    ("identity check", "身份认证", "verificación de identidad"),
    ("security key", "安全密钥", "llave de seguridad"),
    ("login session", "登录会话", "sesión iniciada"),
    ("price alert", "价格提醒", "alerta de precio"),
    ("recurring buy", "定投计划", "compra recurrente"),
    ("crypto loan", "质押借币", "préstamo cripto"),
    ("NFT listing", "NFT挂单", "venta de NFT"),
    ("tax report", "税务报表", "informe fiscal"),
    ("gift card", "礼品卡", "tarjeta regalo"),
    ("launchpad ticket", "Launchpad申购", "suscripción a Launchpad"),
    ("dust conversion", "小额资产兑换", "conversión de saldos pequeños"),
    ("address book entry", "地址簿条目", "entrada de la libreta de direcciones"),
    ("account statement", "账户对账单", "extracto de cuenta"),
    ("trading fee tier", "手续费等级", "nivel de comisiones"),
    ("options contract", "期权合约", "contrato de opciones"),
    ("portfolio margin", "组合保证金", "margen de cartera"),
    ("fiat balance", "法币余额", "saldo fiat"),
    ("convert order", "闪兑订单", "orden de conversión"),
    ("earn subscription", "赚币申购", "suscripción de Earn"),
    ("mobile notification", "手机通知", "notificación móvil"),
    ("phone number", "手机号", "número de teléfono"),
    ("email address", "邮箱地址", "correo electrónico"),
    ("two-factor code", "双重验证码", "código de doble factor"),
]
ACTIONS = [
    ("cancel", "取消", "cancelar"),
    ("change", "修改", "cambiar"),
    ("set up", "设置", "configurar"),
    ("close", "关闭", "cerrar"),
    ("check the status of", "查询", "consultar el estado de"),
    ("speed up", "加快", "acelerar"),
    ("export", "导出", "exportar"),
    ("recover", "找回", "recuperar"),
    ("verify", "验证", "verificar"),
    ("transfer", "转移", "transferir"),
    ("renew", "续期", "renovar"),
    ("pause", "暂停", "pausar"),
    ("delete", "删除", "eliminar"),
    ("limit", "限制", "limitar"),
    ("share", "分享", "compartir"),
    ("dispute", "申诉", "reclamar"),
    ("report a problem with", "反馈问题：", "informar de un problema con"),
    ("understand the fees of", "了解费用：", "entender las comisiones de"),
    ("find the history of", "查看记录：", "ver el historial de"),
    ("unlock", "解锁", "desbloquear"),
]
CONTEXTS = [
    ("on the mobile app", "在手机App上", "en la app móvil"),
    ("on the website", "在网页端", "en la web"),
    ("from a new device", "在新设备上", "desde un dispositivo nuevo"),
    ("after a password reset", "重置密码后", "después de restablecer la contraseña"),
    ("during maintenance", "系统维护期间", "durante el mantenimiento"),
    ("for a corporate account", "企业账户", "en una cuenta de empresa"),
    ("while travelling abroad", "在国外时", "estando de viaje"),
    ("with a hardware wallet", "使用硬件钱包时", "con una cartera física"),
    ("on a sub-account", "在子账户中", "en una subcuenta"),
    ("before the deadline", "在截止日期前", "antes de la fecha límite"),
    ("after KYC level 2", "完成二级认证后", "tras el nivel 2 de KYC"),
    ("in a restricted region", "在受限地区", "en una región restringida"),
    ("over the daily limit", "超过每日限额时", "por encima del límite diario"),
    ("on weekends", "在周末", "los fines de semana"),
    ("through the API", "通过API", "a través de la API"),
]
ASSETS = ["BTC", "ETH", "USDT", "USDC", "SOL", "XRP", "TRX", "TON", "NVX", "EUR", "BRL"]

TEMPLATES = {
    "en": [
        "You can {a} your {p} {c} from the account menu.",
        "Most requests to {a} a {p} are handled within a few minutes.",
        "If the page shows an error, wait ten minutes and try again before contacting support.",
        "Fees for a {p} in {x} are listed on the fee schedule page.",
        "Some regions cannot {a} a {p} because of local rules.",
        "Keep your two-factor authentication enabled while you {a} the {p}.",
        "We send an email and an in-app message once the change is complete.",
        "The history of every {p} stays available for download for five years.",
        "Support agents can never ask for your password or your recovery phrase.",
        "Large amounts of {x} may need an extra review by our risk team.",
    ],
    "es": [
        "Puede {a} su {p} {c} desde el menú de la cuenta.",
        "La mayoría de las solicitudes para {a} un {p} se atienden en pocos minutos.",
        "Si la página muestra un error, espere diez minutos e inténtelo de nuevo.",
        "Las comisiones de un {p} en {x} aparecen en la página de tarifas.",
        "En algunas regiones no es posible {a} un {p} por la normativa local.",
        "Mantenga activada la verificación en dos pasos mientras va a {a} el {p}.",
        "Le enviamos un correo y un aviso en la app cuando termina el cambio.",
        "El historial de cada {p} se puede descargar durante cinco años.",
        "El equipo de soporte nunca le pedirá su contraseña ni su frase de recuperación.",
        "Los importes grandes en {x} pueden necesitar una revisión adicional.",
    ],
    "zh": [
        "您可以{c}通过账户菜单{a}{p}。",
        "大多数{a}{p}的请求会在几分钟内处理完成。",
        "如果页面报错，请等待十分钟后重试，再联系客服。",
        "{x}{p}的手续费请查看费率页面。",
        "由于当地法规，部分地区无法{a}{p}。",
        "{a}{p}期间请保持双重验证开启。",
        "变更完成后，我们会发送邮件和站内信通知您。",
        "每一笔{p}的记录可在五年内下载。",
        "客服人员绝不会索要您的密码或助记词。",
        "大额{x}可能需要风控团队额外审核。",
    ],
}
TITLES = {
    "en": "How to {a} a {p} {c} ({x})",
    "es": "Cómo {a} un {p} {c} ({x})",
    "zh": "如何{c}{a}{x}{p}",
}
QUESTIONS = {
    "en": ["how can i {a} my {x} {p} {c}", "{p} {c}: I want to {a} it"],
    "es": ["¿cómo puedo {a} mi {p} de {x} {c}?", "quiero {a} el {p} {c}"],
    "zh": ["{c}怎么{a}{x}{p}", "我想{a}{p}，{c}"],
}
BODY_SENTENCES = {"en": 14, "es": 13, "zh": 10}


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    key: str
    locale: str
    title: str
    body: str
    category: str
    tags: list[str]
    questions: list[str]


def build_corpus(count: int, locales: tuple[str, ...] = LOCALES) -> list[SyntheticArticle]:
    """``count`` articles × ``locales`` translations, the same for the same ``count``."""
    rng = random.Random(count)
    combos = list(itertools.product(range(len(PRODUCTS)), range(len(ACTIONS)), CONTEXTS))
    if count > len(combos) * len(ASSETS):
        raise ValueError(f"at most {len(combos) * len(ASSETS)} distinct synthetic articles")
    rng.shuffle(combos)
    documents = []
    for n in range(count):
        product, action, context = combos[n % len(combos)]
        asset = ASSETS[(n // len(combos) + n) % len(ASSETS)]
        words = {
            locale: {
                "p": PRODUCTS[product][i],
                "a": ACTIONS[action][i],
                "c": context[i],
                "x": asset,
            }
            for i, locale in enumerate(LOCALES)
        }
        documents.extend(_article(n, locale, words[locale], rng) for locale in locales)
    return documents


def _article(n: int, locale: str, words: dict[str, str], rng: random.Random) -> SyntheticArticle:
    sentences = [rng.choice(TEMPLATES[locale]) for _ in range(BODY_SENTENCES[locale])]
    joiner = "" if locale == "zh" else " "
    body = joiner.join(s.format(**words) for s in sentences)
    return SyntheticArticle(
        key=f"synthetic-{n:05d}",
        locale=locale,
        title=TITLES[locale].format(**words),
        body=body,
        category="synthetic",
        tags=[words["x"].lower()],
        questions=[q.format(**words) for q in QUESTIONS[locale]],
    )


def visitor_question(article: SyntheticArticle, rng: random.Random) -> str:
    """A question a visitor might type for this article: one example question, reworded."""
    question = rng.choice(article.questions)
    if article.locale == "zh":
        return question + rng.choice(["？", "啊", "，急"])
    prefix = rng.choice(
        ["", "hi, ", "hello ", "please "] if article.locale == "en" else ["", "hola, "]
    )
    return prefix + question
