"""Pages for co-assessment grids: the participant's phone flow, the coach's group screen, the
comparison (spider chart), agreement, validation and consent, progress, exports and print.

One blueprint ``bp`` (endpoints ``grids.*``), its routes in modules by who uses them, and the
offline pieces (service worker, manifest, sync endpoints) in ``offline``.
"""

from badger.grids.views import offline, participant, photolangage, shared, staff
from badger.grids.views.base import bp

__all__ = ["bp", "offline", "participant", "photolangage", "shared", "staff"]
