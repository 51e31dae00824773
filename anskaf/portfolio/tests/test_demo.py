"""The demo municipality comes with a portfolio anchored in its cases."""

from anskaf import demo
from anskaf.portfolio.models import CaseSystem, Contract, System


def test_demo_portfolio(db):
    demo.load()
    rostering_old = System.objects.get(name="TidPlan Classic")
    assert rostering_old.lifecycle == "PhasingOut"  # its case is past step 13
    assert System.objects.get(name="VagtFlex").lifecycle == "Operational"  # step 20 done
    assert CaseSystem.objects.filter(system=rostering_old, kind="replaced").exists()
    assert Contract.objects.filter(system__name="Acadre").exists()
    assert System.objects.get(name="Ældre Omsorgssystem X").lifecycle == "Operational"
