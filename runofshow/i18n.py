"""User-facing text in English (the default) and Norwegian bokmål, kept as one catalogue."""

from __future__ import annotations

LANGUAGES = ("en", "nb")
DEFAULT_LANGUAGE = "en"

CATALOGUE: dict[str, dict[str, str]] = {
    "app_name": {"en": "Run of show", "nb": "Kjøreplan"},
    "screens": {"en": "Screens", "nb": "Skjermer"},
    "stage_screen": {"en": "Stage screen", "nb": "Sceneskjerm"},
    "console": {"en": "Facilitator console", "nb": "Konsoll for ordstyrer"},
    "stream_view": {"en": "Stream operator", "nb": "Strømmeoperatør"},
    "room_screen": {"en": "Room screen", "nb": "Romskjerm"},
    "agenda": {"en": "Agenda", "nb": "Program"},
    "now": {"en": "Now", "nb": "Nå"},
    "next": {"en": "Next", "nb": "Neste"},
    "previous": {"en": "Back", "nb": "Tilbake"},
    "pause": {"en": "Pause", "nb": "Pause"},
    "resume": {"en": "Resume", "nb": "Fortsett"},
    "paused": {"en": "Paused", "nb": "Pauset"},
    "start": {"en": "Start", "nb": "Start"},
    "end_show": {"en": "End", "nb": "Avslutt"},
    "remaining": {"en": "Remaining", "nb": "Igjen"},
    "overtime": {"en": "Overtime", "nb": "Overtid"},
    "elapsed": {"en": "Elapsed", "nb": "Gått"},
    "delay": {"en": "Delay", "nb": "Forsinkelse"},
    "on_time": {"en": "On time", "nb": "I rute"},
    "late_by": {"en": "Running late by", "nb": "Forsinket med"},
    "early_by": {"en": "Ahead by", "nb": "Foran skjema med"},
    "planned": {"en": "Planned", "nb": "Planlagt"},
    "projected": {"en": "Projected", "nb": "Beregnet"},
    "not_started": {"en": "Not started", "nb": "Ikke startet"},
    "running": {"en": "Running", "nb": "Pågår"},
    "gap": {"en": "Break in the programme", "nb": "Opphold i programmet"},
    "finished": {"en": "Finished", "nb": "Ferdig"},
    "reconnecting": {"en": "Reconnecting…", "nb": "Kobler til igjen…"},
    "connected": {"en": "Connected", "nb": "Tilkoblet"},
    "offline": {"en": "Connection lost", "nb": "Forbindelsen er brutt"},
    "starts_at": {"en": "Starts at", "nb": "Starter"},
    "free_until": {"en": "Free until", "nb": "Ledig til"},
    "nothing_more": {"en": "Nothing more today", "nb": "Ikke mer i dag"},
    "on_air": {"en": "ON AIR", "nb": "PÅ LUFTEN"},
    "off_air": {"en": "OFF AIR", "nb": "AV LUFTEN"},
    "on_request": {"en": "ON REQUEST", "nb": "VED BEHOV"},
    "unspecified": {"en": "NOT DECIDED", "nb": "IKKE AVKLART"},
    "stream_live": {"en": "Streamed", "nb": "Strømmes"},
    "at_risk": {"en": "at risk", "nb": "i fare"},
    "message": {"en": "Message", "nb": "Melding"},
    "sign_in": {"en": "Sign in", "nb": "Logg inn"},
    "sign_out": {"en": "Sign out", "nb": "Logg ut"},
    "role": {"en": "Role", "nb": "Rolle"},
    "passphrase": {"en": "Passphrase", "nb": "Passordfrase"},
    "wrong_passphrase": {"en": "Wrong role or passphrase.", "nb": "Feil rolle eller passordfrase."},
    "invalid_link": {"en": "This link is not valid (any more).", "nb": "Denne lenken er ikke (lenger) gyldig."},
    "not_found": {"en": "Not found.", "nb": "Fant ikke siden."},
    "forbidden": {"en": "You may not do that with your role.", "nb": "Rollen din har ikke lov til dette."},
    "no_agenda": {"en": "No agenda has been imported yet.", "nb": "Ingen agenda er importert ennå."},
    "language": {"en": "Norsk", "nb": "English"},
    "duties": {"en": "Duties", "nb": "Oppgaver"},
    "notes": {"en": "Private notes", "nb": "Private notater"},
    "open_duty": {"en": "open", "nb": "ledig"},
    "stage": {"en": "Stage", "nb": "Scene"},
    "room": {"en": "Room", "nb": "Rom"},
}


def translate(key: str, language: str) -> str:
    """The text for `key` in `language`, falling back to English, then to the key itself."""
    entry = CATALOGUE.get(key)
    if entry is None:
        return key
    return entry.get(language) or entry.get(DEFAULT_LANGUAGE, key)


def pick_language(requested: str | None, accept_header: str = "", default: str = DEFAULT_LANGUAGE) -> str:
    """The language to use: an explicit choice, else the browser's preference, else the default."""
    if requested in LANGUAGES:
        return requested  # type: ignore[return-value]
    for part in accept_header.split(","):
        code = part.split(";")[0].strip().lower()
        if code[:2] in ("nb", "no", "nn"):
            return "nb"
        if code[:2] == "en":
            return "en"
    return default if default in LANGUAGES else DEFAULT_LANGUAGE
