"""Email settings and the `serve --smtp-port` option."""

from __future__ import annotations

import pytest

from supportdesk.cli import build_parser
from supportdesk.config import ConfigError, load_settings
from supportdesk.tickets.desk import EmailDesk


def test_serve_takes_the_smtp_receiver_port() -> None:
    args = build_parser().parse_args(["serve", "--smtp-port", "2525"])
    assert args.smtp_port == 2525
    assert build_parser().parse_args(["serve"]).smtp_port is None


def test_serve_refuses_a_bad_smtp_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["serve", "--smtp-port", "70000"])
    assert "port must be between 1 and 65535" in capsys.readouterr().err


def test_the_desk_address_names_the_reply_addresses_and_the_accepted_domain(tmp_path) -> None:
    settings = load_settings(
        env="test", data_dir=tmp_path, secret_key="k" * 48, smtp_from="Acme <help@acme.example>"
    )
    desk = EmailDesk.of(settings)
    assert desk.address == ("Acme", "help@acme.example")
    assert desk.reply_address("Zx81kQpL02") == "help+t.Zx81kQpL02@acme.example"
    assert desk.accepts("help+t.Zx81kQpL02@ACME.example")
    assert not desk.accepts("someone@elsewhere.example")


def test_an_unknown_smtp_security_mode_is_refused_with_its_variable_name(tmp_path) -> None:
    with pytest.raises(ConfigError, match="SUPPORTDESK_SMTP_SECURITY"):
        load_settings(env="test", data_dir=tmp_path, secret_key="k" * 48, smtp_security="ssl")
