import random
from tests.test_privacy_property import *  # noqa
from tests.test_privacy_property import _make_rows, _fill, _run, _selected, _passes

def test_probe(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'p.sqlite'}"
    schema.create_schema(get_engine(url))
    rnd = random.Random(1)
    raw = [(rnd.randint(0, 6), rnd.randint(0, 20), rnd.randint(0, 10), rnd.choice(CHANNELS), rnd.choice((1, 2)), rnd.choice(TYPES)) for _ in range(50)]
    rows = _make_rows(raw)
    _fill(url, rows)
    monkeypatch.setenv("SERVICE_PULSE_DATABASE_URL", url)
    monkeypatch.setenv("SERVICE_PULSE_TODAY", TODAY.isoformat())
    link = {"period": None, "team": [], "channel": [], "service": [], "type": []}
    st.cache_data.clear()
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.session_state["viewer"] = CIO
    at.run()
    print([i.value for i in at.info], [m.value for m in at.metric][:3], at.exception)
    print(_passes(_selected(rows, link, CIO)))
