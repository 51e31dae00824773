"""What the cases' API shares with other apps' APIs: a decision's outcome and the Danish
messages for a decision's fields (the IT-visitation records decisions through its own API).

The cases' own request and response schemas are still in anskaf/api/schemas.py, until the
cases' API moves out of the API shell (issue 15).
"""

from __future__ import annotations

from typing import Literal

OutcomeLiteral = Literal["yes", "maybe", "no"]  # choices.Outcome's values

DECISION_FIELD_HINTS = {
    "outcome": "Udfaldet skal være »yes«, »maybe« eller »no«.",
    "it_contacts": "Skal være en liste af tekster.",
    "missing_documentation": "Skal være en liste af tekster.",
}
