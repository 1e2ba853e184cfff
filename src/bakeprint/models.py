"""Import every model so the metadata is complete (Alembic, create_all)."""

from bakeprint import ratelimit, sequences  # noqa: F401
from bakeprint.catalog import models as catalog  # noqa: F401
from bakeprint.db import Base
from bakeprint.events import models as events  # noqa: F401
from bakeprint.identity import models as identity  # noqa: F401
from bakeprint.interop import models as interop  # noqa: F401
from bakeprint.logistics import models as logistics  # noqa: F401
from bakeprint.materials import models as materials  # noqa: F401
from bakeprint.outbox import models as outbox  # noqa: F401
from bakeprint.packaging import models as packaging  # noqa: F401
from bakeprint.production import models as production  # noqa: F401
from bakeprint.quality import models as quality  # noqa: F401
from bakeprint.recall import models as recall  # noqa: F401
from bakeprint.retail import models as retail  # noqa: F401
from bakeprint.sensors import models as sensors  # noqa: F401
from bakeprint.shelflife import models as shelflife  # noqa: F401
from bakeprint.storage import models as storage  # noqa: F401

metadata = Base.metadata
