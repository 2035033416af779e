"""Pages for co-assessment grids: the participant's phone flow, the coach's group screen, the
comparison (spider chart), agreement, validation and consent, progress, exports and print.

One blueprint ``bp`` (endpoints ``grids.*``), its routes in three modules by who uses them.
"""

from badger.grids.views import participant, shared, staff
from badger.grids.views.base import bp

__all__ = ["bp", "participant", "shared", "staff"]
