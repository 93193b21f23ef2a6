"""An example that fails on purpose: its evidence must land in --output and the HTML report."""


def test_status_is_not_what_we_claim(billing):
    billing.availability()
    assert billing.game.status == "this text never shows", "failing on purpose"
