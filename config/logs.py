"""Log records as one JSON object a line: easy for a log collector, readable enough for a person."""

import json
import logging
import sys
from datetime import UTC, datetime

STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Fields passed with `extra=` (user, action, ward, year...) come as keys of their own.
        entry.update({k: v for k, v in vars(record).items() if k not in STANDARD and not k.startswith("_")})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class StdoutHandler(logging.StreamHandler):
    """A stream handler that writes to whatever `sys.stdout` is when the record is emitted.

    `StreamHandler(sys.stdout)` keeps the stream it was given at start-up; when something replaces
    and closes that stream later (a test runner's output capture, a daemonising wrapper), every log
    call prints a "--- Logging error ---" traceback instead of the line. Looking it up each time
    costs nothing and keeps the audit lines flowing.
    """

    @property
    def stream(self):
        return sys.stdout

    @stream.setter
    def stream(self, _value):
        pass  # always sys.stdout; StreamHandler.__init__ and setStream assign here
