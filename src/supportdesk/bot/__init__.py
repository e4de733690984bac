"""The answer bot: answers from the help center, or hands off to a human."""
