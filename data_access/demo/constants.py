"""The demo's fixed vocabulary: teams, services, channels and their effects, names, comments, notes."""

from __future__ import annotations

import numpy as np

# Clearly a demo credential: only ever loaded into the demo database, printed by `summary`.
DEMO_PASSWORD = "pulse-demo"
DEMO_MARKER = "demo_data_loaded"  # settings key written with the demo data (see bootstrap.data_origin)

TEAM_NAMES = [
    "Service Desk North", "Service Desk South", "End-User Computing", "Network & Telecom",
    "Identity & Access", "Business Applications", "Workplace Services", "Cloud & Infrastructure",
]
TEAM_SIZES = [12, 11, 10, 10, 10, 9, 9, 9]

SERVICES = [
    ("Email & Calendar", 0, 0.35), ("Laptop & Desktop", 2, 0.40), ("Password & Login", 4, 0.55),
    ("VPN & Remote Access", 3, 0.20), ("Wi-Fi & Network", 3, 0.15), ("Printing", 6, 0.30),
    ("Mobile Devices", 2, 0.45), ("Microsoft Teams", 0, 0.30), ("SharePoint & Files", 5, 0.40),
    ("ERP Finance", 5, 0.35), ("HR Portal", 5, 0.50), ("CRM", 5, 0.35), ("Software Install", 2, 0.85),
    ("Access Requests", 4, 0.90), ("New Starter Setup", 6, 0.95), ("Telephony", 3, 0.30),
    ("Meeting Rooms & AV", 6, 0.40), ("Cloud Storage", 7, 0.45), ("Databases", 7, 0.25),
    ("Backup & Restore", 7, 0.50), ("Security Incident", 4, 0.05), ("Website & Intranet", 5, 0.30),
    ("Data & Reporting", 5, 0.50), ("Hardware Orders", 6, 0.95), ("Virtual Desktop", 1, 0.30),
]
SERVICE_EFFECT = np.array([0.1, 0.0, 0.3, -0.6, -0.5, -0.3, 0.1, 0.2, 0.0, -0.7, -0.2, -0.1, 0.3,
                           0.0, -0.4, 0.1, -0.2, 0.2, -0.3, 0.0, -0.8, 0.1, -0.1, 0.1, -0.6])
CHANNELS = ["phone", "email", "portal", "chat", "walk_in"]
CHANNEL_SHARE = np.array([0.25, 0.25, 0.32, 0.12, 0.06])
CHANNEL_EFFECT = np.array([0.25, -0.35, -0.15, 0.20, 0.45])
CHANNEL_RESPONSE_RATE = np.array([0.17, 0.23, 0.27, 0.26, 0.15])

FIRST = ["Aisha", "Ben", "Chloé", "Daniel", "Emma", "Farid", "Grace", "Hiro", "Ines", "Jonas",
         "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoë", "Łukasz", "Søren", "José", "Aoife",
         "Bjørn", "Camille", "Dmitri", "Elif", "Femi", "Gabriel", "Hanna", "Ivan", "Julia", "Kai"]
LAST = ["Adeyemi", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "García", "Hansen", "Ito",
        "Jansen", "Kowalski", "Larsen", "Müller", "Novak", "O'Brien", "Patel", "Quispe", "Rossi",
        "Schmidt", "Takahashi", "Úlfarsson", "Varga", "Wójcik", "Xu", "Yilmaz", "Zhang", "Núñez",
        "Ångström", "Okafor", "Lindqvist"]

POSITIVE_COMMENTS = [
    "{first} sorted it out in minutes, thank you!",
    "Quick, friendly and clear. Great job {first}.",
    "Really appreciated that {first} called me back, explained what happened and checked it worked.",
    "Fixed first time, no fuss.",
    "{first} was patient with me, even though I'm not \"technical\".",
    "Excellent service — {service} works again and I was kept informed throughout.",
    "Thanks {first}; you went the extra mile, again.",
    "Très bien, merci beaucoup !",
]
NEUTRAL_COMMENTS = [
    "Fine in the end, but it took a while.",
    "OK. Would have liked an update earlier.",
    "Solved, though I had to chase it once.",
    "Decent, nothing special.",
]
NEGATIVE_COMMENTS = [
    "Ticket was closed but {service} still doesn't work.",
    "I had to explain the same problem three times to different people.",
    "Nobody told me what was happening for days.",
    "Took far too long, I lost most of a morning.",
    "Closed without asking me, issue is NOT fixed.",
    "The fix was rushed and the problem came back, so I'm raising it again.",
    "Felt like I was bothering them.\nStill waiting for a proper answer.",
]
TRICKY_COMMENTS = [
    "<script>alert('hi')</script> still broken",
    "<b>bold</b> claims, <i>no</i> fix",
    "=HYPERLINK(\"http://example.invalid\",\"click\")",
    "+1 for fast help",
    "-2 stars, sorry",
    "@channel please look at this",
    "**Markdown** _is_ not [a link](http://example.invalid)",
    "Smörgåsbord of issues, but Zoë fixed them, “thanks”",
    "Line one\nLine two, with a comma, and \"quotes\"",
]
NOTE_TEXTS = [
    "Talked through the re-opened tickets; agreed to confirm fixes with the user before closing.",
    "Great feedback on phone manner this month — keep it up.",
    "Practise setting expectations on timelines for access requests.",
    "Shadow a senior analyst on network tickets next week.",
    "Discussed using the knowledge base before escalating.",
]
