"""The concurrency step's cast and its proxy configuration (no browser)."""

from __future__ import annotations

from bench import crowd, proxy


def test_people_cycle_cio_lead_analyst_and_analysts_are_not_leads(sqlite_demo_url):
    cast = crowd.people(sqlite_demo_url, 7)
    assert [role for _, role in cast] == ["cio", "lead", "analyst", "cio", "lead", "analyst", "cio"]
    assert [name for name, role in cast if role == "cio"] == ["cio", "cio", "cio"]
    leads = [name for name, role in cast if role == "lead"]
    analysts = [name for name, role in cast if role == "analyst"]
    assert len(set(leads)) == 2 and len(set(analysts)) == 2  # a different person each time
    assert not set(leads) & set(analysts)
    every_lead = {name for name, role in crowd.people(sqlite_demo_url, 3 * 8) if role == "lead"}
    assert len(every_lead) == 8 and not every_lead & {n for n, r in crowd.people(sqlite_demo_url, 30) if r == "analyst"}


def test_haproxy_configuration_is_sticky_by_cookie_and_names_each_process():
    text = proxy.haproxy_config(9000, [("app1", 8601), ("app2", 8602)])
    assert "bind 127.0.0.1:9000" in text
    assert "cookie SP_NODE insert indirect nocache httponly" in text
    assert "    server app1 127.0.0.1:8601 check cookie app1\n    server app2 127.0.0.1:8602 check cookie app2" in text
    assert "timeout tunnel 8h" in text and "balance roundrobin" in text
