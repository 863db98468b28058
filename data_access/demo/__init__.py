"""Deterministic demo warehouse (`generate`): a believable service desk whose data carries the effects the pages show.

Same seed and same end date → the same data. Effects built in (and tested):
- each analyst has a latent skill per CARE dimension that drives their customers' ratings, and a
  trend (some improve, some decline);
- every reassignment lowers expected Happiness by about 7 points and raises lost time;
- a sizeable share of tickets with the SLA met still score 0–6 (the "watermelon");
- lost time is heavy-tailed (roughly 13% of tickets cause about 80% of it);
- weaker analysts rate themselves above their customers, strong ones slightly below.

The package, one module per step: `constants` (vocabulary), `organisation` (teams, analysts,
accounts), `tickets`, `answers`, `follow_up` (recovery, kudos), `people` (self-assessments,
notes), `load` (one bulk transaction, rollups once), `build` (the order of the steps).
"""

from data_access.demo.build import DemoSummary, generate
from data_access.demo.constants import DEMO_MARKER, DEMO_PASSWORD
from data_access.demo.follow_up import due_times

__all__ = ["DEMO_MARKER", "DEMO_PASSWORD", "DemoSummary", "due_times", "generate"]
