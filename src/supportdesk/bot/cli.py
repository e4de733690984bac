"""``supportdesk bot ...`` commands: ``bot eval`` (docs/bot-eval.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

from supportdesk.bot.datasets import LOADERS, SPLITS, DatasetError, Options, load_dataset


def add_bot_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bot = commands.add_parser("bot", help="answer bot: bot eval")
    actions = bot.add_subparsers(dest="bot_command", required=True, metavar="ACTION")
    evaluate = actions.add_parser(
        "eval",
        help="score the bot on a data set in a throw-away workspace; prints JSON",
        description="Import a data set into a temporary workspace, ask every question "
        "through the bot and print accuracy, abstention and latency as JSON.",
    )
    evaluate.add_argument("--dataset", required=True, choices=list(LOADERS))
    evaluate.add_argument("--data", required=True, type=Path, help="the data set's directory")
    evaluate.add_argument("--split", choices=SPLITS, default="test", help="default: test")
    evaluate.add_argument("--limit", type=_positive, help="ask a fixed random sample of N")
    evaluate.add_argument(
        "--max-questions-per-article",
        type=_positive,
        metavar="N",
        help="intent sets: at most N training utterances per intent article",
    )
    evaluate.add_argument(
        "--predictions", type=Path, metavar="PATH", help="also write one JSON line per question"
    )
    evaluate.set_defaults(handler=run_bot_eval)


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def run_bot_eval(args: argparse.Namespace) -> int:
    from supportdesk.bot.eval import StderrProgress, evaluate, report, write_predictions

    options = Options(args.split, args.limit, args.max_questions_per_article)
    try:
        dataset = load_dataset(args.dataset, args.data, options)
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(
        f"{dataset.name} ({dataset.split}): {len(dataset.articles)} documents, "
        f"{len(dataset.questions)} questions",
        file=sys.stderr,
    )
    try:
        run = asyncio.run(evaluate(dataset, progress=StderrProgress()))
    except DatasetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if args.predictions is not None:
        with args.predictions.open("w", encoding="utf-8") as out:
            write_predictions(run, out)
    settings = {
        "limit": args.limit,
        "max_questions_per_article": args.max_questions_per_article,
    }
    print(json.dumps(report(run, data=args.data, options=settings), indent=2, ensure_ascii=False))
    return 0
