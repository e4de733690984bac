"""A small help center written for these tests: factories and fixture articles."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from supportdesk.db.engine import Database
from supportdesk.helpcenter.models import Article, ArticleTranslation, TranslationStatus
from supportdesk.search.index import index_articles

HELP_CENTER: dict[str, dict[str, tuple[str, str]]] = {
    "reset-password": {
        "en": (
            "Reset a forgotten password",
            "If you forgot your password, tap **Forgot password** on the login page. "
            "Enter your email address and we send you a reset link. The link expires after "
            "30 minutes. Choose a new password of at least 10 characters.",
        ),
        "zh": (
            "重置忘记的密码",
            "如果您忘记了登录密码，请在登录页点击**忘记密码**。输入您的邮箱地址，我们会发送"
            "重置链接。链接30分钟后失效。请设置至少10位的新密码。",
        ),
        "es": (
            "Restablecer una contraseña olvidada",
            "Si olvidaste tu contraseña, pulsa **¿Olvidaste tu contraseña?** en la página de "
            "inicio de sesión. Escribe tu correo y te enviamos un enlace para restablecerla. "
            "El enlace caduca a los 30 minutos.",
        ),
    },
    "card-purchase": {
        "en": (
            "Buy crypto with a bank card",
            "You can buy crypto with a Visa or Mastercard debit or credit card. Go to "
            "**Buy → Card**, choose the coin and the amount, and confirm the payment with "
            "your bank. A card payment fee of 2% applies. Purchases arrive in your wallet "
            "within minutes.",
        ),
    },
    "referral-program": {
        "en": (
            "Invite friends and earn referral rewards",
            "Share your referral link with friends. When a friend signs up with your link "
            "and trades, you earn 20% of their trading fees as a reward, paid every day.",
        ),
        "zh": (
            "邀请好友赚取返佣",
            "把您的邀请链接分享给好友。好友通过您的链接注册并交易后，您可获得其交易手续费"
            "20%的返佣，每日发放。",
        ),
        "es": (
            "Invita a tus amigos y gana recompensas",
            "Comparte tu enlace de referido con tus amigos. Cuando un amigo se registra con "
            "tu enlace y opera, ganas el 20% de sus comisiones como recompensa, cada día.",
        ),
    },
    "change-email": {
        "en": (
            "Change the email address of your account",
            "Open **Settings → Account → Email**, enter the new address and confirm with "
            "the codes sent to the old and the new address. Withdrawals are paused for 24 "
            "hours after the change.",
        ),
        "es": (
            "Cambiar el correo electrónico de tu cuenta",
            "Abre **Ajustes → Cuenta → Correo**, escribe la nueva dirección y confírmala "
            "con los códigos enviados a la antigua y a la nueva. Los retiros se pausan 24 "
            "horas después del cambio.",
        ),
    },
    "mobile-app": {
        "en": (
            "Install the mobile app",
            "Download the app from the App Store or Google Play. Scan the QR code on the "
            "download page to get the official version and log in with your account.",
        ),
        "zh": (
            "安装手机应用",
            "从App Store或Google Play下载应用。扫描下载页上的二维码获取官方版本，然后用"
            "您的账户登录。",
        ),
    },
    "staking-rewards": {
        "en": (
            "Earn rewards by staking",
            "Stake coins in **Earn → Staking** to receive daily rewards. Flexible staking "
            "can be redeemed at any time; locked staking pays a higher yield for 30, 60 or "
            "90 days.",
        ),
    },
}


@dataclass
class HelpCenter:
    ids: dict[str, int]


async def add_article(
    db: Database,
    key: str,
    translations: dict[str, tuple[str, str]],
    *,
    status: TranslationStatus = TranslationStatus.PUBLISHED,
) -> int:
    async with db.transaction() as session:
        article = Article(key=key)
        session.add(article)
        await session.flush()
        for locale, (title, body) in translations.items():
            session.add(
                ArticleTranslation(
                    article_id=article.id, locale=locale, title=title, body=body, status=status
                )
            )
        await session.flush()
        await index_articles(session, [article.id])
        return article.id


async def edit_translation(db: Database, article_id: int, locale: str, **changes: object) -> None:
    async with db.transaction() as session:
        translation = await session.scalar(
            select(ArticleTranslation).where(
                ArticleTranslation.article_id == article_id, ArticleTranslation.locale == locale
            )
        )
        assert translation is not None
        for name, value in changes.items():
            setattr(translation, name, value)
        await session.flush()
        await index_articles(session, [article_id])


async def add_help_center(db: Database) -> HelpCenter:
    ids = {}
    async with db.transaction() as session:
        for key, translations in HELP_CENTER.items():
            article = Article(key=key)
            session.add(article)
            await session.flush()
            ids[key] = article.id
            for locale, (title, body) in translations.items():
                session.add(
                    ArticleTranslation(article_id=article.id, locale=locale, title=title, body=body)
                )
        await session.flush()
        await index_articles(session, list(ids.values()))
    return HelpCenter(ids)
