"""iCalendar files for the tests, written as a calendar application exports them."""

from __future__ import annotations


def ics(*events: str) -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Supportdesk tests//EN\r\n"
        f"{body}END:VCALENDAR\r\n"
    ).encode()


def event(uid: str, lines: str) -> str:
    return f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n" + lines.strip().replace("\n", "\r\n")


SPAIN_2026 = ics(
    event("1", "DTSTART;VALUE=DATE:20261208\nSUMMARY:Inmaculada Concepción"),
    event("2", "DTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261227\nSUMMARY:Navidad"),
    event("3", "DTSTART;VALUE=DATE:20261231\nDURATION:P2D\nSUMMARY:Año Nuevo"),
    event("4", "DTSTART:20261230T150000Z\nDTEND:20261230T170000Z\nSUMMARY:Team party"),
    event("5", "DTSTART;VALUE=DATE:20260101\nRRULE:FREQ=YEARLY\nSUMMARY:New year"),
)
