from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "anskaf.meetings"
    label = "meetings"
    verbose_name = "IT-visitationens møder"

    def ready(self) -> None:
        # The case page's section on the board's rounds, through the cases' panel registry.
        from anskaf.cases.extensions import register_bindings, register_hold_finder
        from anskaf.cases.panels import register_panel

        from .panels import PANELS
        from .steps import BINDINGS
        for panel in PANELS:
            register_panel(panel)
        register_bindings(BINDINGS)  # the Procesmodel page warns when a model lacks one

        from anskaf.documents.case_package import register_part

        from .minutes import case_extracts
        register_part(case_extracts)  # the whole case's journal package: minutes extracts
        # The board's step is not the board's task before the case is put forward.
        from .selectors import held_for_board
        register_hold_finder(held_for_board)
