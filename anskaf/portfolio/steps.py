"""The steps the portfolio follows, by key (never by number); a model without one of these keys
leaves that part of the portfolio silent.

Pure Python: `anskaf model validate` reads these to say what a model leaves silent.
"""

from __future__ import annotations

from anskaf.process.bindings import StepBinding

APP = "the portfolio"

NEEDS = StepBinding(APP, "offer the system search and the tender threshold",
                    key="needs_or_market_analysis")
DPA = StepBinding(APP, "show the data processing agreement of the acquired system",
                  key="data_processing_agreement")
CONTRACT = StepBinding(APP, "phase in the acquired system, check its DPA or register it in KITOS",
                       key="contract_in_place")
DECOMMISSION_PLAN = StepBinding(APP, "phase out the replaced system",
                                key="decommissioning_plan")
IN_OPERATION = StepBinding(APP, "put the acquired system in operation", key="in_operation")
CLOSE_PREVIOUS = StepBinding(APP, "mark the replaced system as no longer in use",
                             key="close_previous_system")

# "Evt. arkivering (eller plan for denne) godkendes": the archive role's assessment of each of
# the case's systems with personal data or case records is asked for, and required, here.
ARCHIVE = StepBinding(APP, "ask the archive role's assessment before the archive step completes",
                      kind="archive_approval", key="close_previous_system")

# The steps the system panel shows on (the first binding of a step names its part).
SYSTEM_BINDINGS = [NEEDS, DPA, CONTRACT, DECOMMISSION_PLAN, IN_OPERATION, CLOSE_PREVIOUS, ARCHIVE]

# "Klar til drift" shows the test's outcome (the test step's checklist and remarks): the
# decision to go into operation rests on it.
TEST = StepBinding(APP, "show the test's checklist and remarks where readiness is decided",
                   key="test_and_setup_dialogue")
READY = StepBinding(APP, "show the test's outcome on the readiness decision",
                    key="ready_for_operation")

BINDINGS = [*SYSTEM_BINDINGS, TEST, READY]
