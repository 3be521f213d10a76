"""The demo's Facebook Pages: the Page id under which the demo's fake Graph API serves each seeded Page.

The embedded demo only, never a migration: seed_demo gives the seeded Pages
these ids, and the fake platforms `make run` serves on loopback
(immisns/runall.py, tests/fakes/loopback.demo_fakes) answer for a Page under
each, so the demo administrator can connect any of them with Facebook Login
end to end. No Django imports: runall reads it before Django is set up.
"""

# (handle, Page id, Page name). The first is the fake Graph API's own Page (tests/fakes/platforms.FakeGraph).
DEMO_FACEBOOK_PAGES = (
    ("ImmigrationServicesAgency.MOJ", "104000000000001", "出入国在留管理庁"),
    ("nagoya.nyukan.support", "104000000000002", "名古屋出入国在留管理局（在留支援）"),
    ("fukuoka.nyukan.support", "104000000000003", "福岡出入国在留管理局（在留支援）"),
)
