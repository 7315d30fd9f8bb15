"""The full schema: importing every part's models registers their tables on one metadata."""

from tsunagu.catalog import models as catalog_models
from tsunagu.conformance import models as conformance_models
from tsunagu.core import sessions
from tsunagu.core.database import Base
from tsunagu.identity.business import models as identity_business_models
from tsunagu.identity.cards import models as identity_cards_models
from tsunagu.identity.history import models as identity_history_models
from tsunagu.identity.oidc import models as identity_oidc_models
from tsunagu.identity.organizations import models as identity_organizations_models
from tsunagu.identity.proxies import models as identity_proxies_models
from tsunagu.identity.staff import models as identity_staff_models
from tsunagu.mesh import models as mesh_models
from tsunagu.notify import models as notify_models
from tsunagu.oversight import models as oversight_models
from tsunagu.procedures import models as procedures_models
from tsunagu.procedures.appointments import models as procedures_appointments_models
from tsunagu.procedures.benefits import models as procedures_benefits_models
from tsunagu.procedures.corpinfo import models as procedures_corpinfo_models
from tsunagu.procedures.payments import models as procedures_payments_models
from tsunagu.procedures.push import models as procedures_push_models
from tsunagu.registry.accounts import models as registry_accounts_models
from tsunagu.registry.addresses import models as registry_addresses_models
from tsunagu.registry.corporations import models as registry_corporations_models
from tsunagu.registry.residents import models as registry_residents_models
from tsunagu.registry.taxation import models as registry_taxation_models

metadata = Base.metadata

__all__ = [
    "catalog_models",
    "conformance_models",
    "identity_business_models",
    "identity_cards_models",
    "identity_history_models",
    "identity_oidc_models",
    "identity_organizations_models",
    "identity_proxies_models",
    "identity_staff_models",
    "mesh_models",
    "metadata",
    "notify_models",
    "oversight_models",
    "procedures_appointments_models",
    "procedures_benefits_models",
    "procedures_corpinfo_models",
    "procedures_models",
    "procedures_payments_models",
    "procedures_push_models",
    "registry_accounts_models",
    "registry_addresses_models",
    "registry_corporations_models",
    "registry_residents_models",
    "registry_taxation_models",
    "sessions",
]
