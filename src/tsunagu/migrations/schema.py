"""The full schema: importing every part's models registers their tables on one metadata."""

from tsunagu.core import sessions
from tsunagu.core.database import Base
from tsunagu.identity.business import models as identity_business_models
from tsunagu.identity.oidc import models as identity_oidc_models
from tsunagu.registry.addresses import models as registry_addresses_models
from tsunagu.registry.residents import models as registry_residents_models

metadata = Base.metadata

__all__ = ["identity_business_models", "identity_oidc_models", "metadata",
           "registry_addresses_models", "registry_residents_models", "sessions"]
