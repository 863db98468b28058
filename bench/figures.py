"""What every benchmark script ends with: the figures as one JSON line (and a file if asked),
stamped with the machine's load, because this kind of machine is shared and noisy."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path


def machine() -> dict:
    """The load average and the day, to read every figure against."""
    return {"load_average": round(os.getloadavg()[0], 1), "cores": os.cpu_count(),
            "measured_on": dt.date.today().isoformat()}


def emit(figures: dict, json_path: Path | None) -> int:
    """Print the figures as JSON, write them to `json_path` when given; the script's exit code."""
    print(json.dumps(figures))
    if json_path:
        json_path.write_text(json.dumps(figures, indent=2))
    return 0
