"""The answer bot: answers from the help center, or hands off to a human.

The decision is :func:`supportdesk.bot.answer.answer`; its rules :mod:`supportdesk.bot.rules`.
"""
