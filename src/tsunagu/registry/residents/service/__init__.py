"""Every rule of the resident registry (住民基本台帳).

Other parts use only this module: ``ResidentRecord``, ``get_resident``, ``get_resident_as_of``,
``find_residents``, the registrations (``register_birth``, ``register_move_in``,
``change_address``, ``move_out``, ``register_death``, ``change_name``) and ``register_once``
(Idempotency-Key), ``history_of`` / ``get_change``, ``individual_number_of``,
``record_access`` / ``accesses_of`` and the outbox (``pending_events`` / ``mark_delivered``).

Each registration updates the current record, appends a snapshot to the history and writes a
change event to the outbox, all in the caller's transaction.
"""

from __future__ import annotations

from tsunagu.registry.residents.numbers import check_digit
from tsunagu.registry.residents.service.accesses import (
    accesses_of,
    count_accesses,
    record_access,
)
from tsunagu.registry.residents.service.changes import (
    assign_individual_number,
    change_address,
    change_name,
    changeable_row,
    chome_of,
    make_head,
    move_out,
    register_birth,
    register_death,
    register_move_in,
)
from tsunagu.registry.residents.service.idempotency import register_once, require_registrar
from tsunagu.registry.residents.service.importing import ImportRow, has_residents, import_residents
from tsunagu.registry.residents.service.informants import (
    INFORMANT_QUALIFICATIONS,
    RELATIVES,
    Informant,
    ReportedBy,
    deaths_reported_by,
    informant_of,
)
from tsunagu.registry.residents.service.lookup import read_record, resident_in, role_of, search_records
from tsunagu.registry.residents.service.outbox import (
    announce,
    events_after,
    events_of,
    mark_delivered,
    pending_events,
)
from tsunagu.registry.residents.service.population import count_people, residents_on
from tsunagu.registry.residents.service.reading import (
    deceased_members,
    find_by_individual_number,
    find_residents,
    get_change,
    get_resident,
    get_resident_as_of,
    history_of,
    household_members,
    individual_number_of,
    latest_change,
    require_resident,
    today,
)
from tsunagu.registry.residents.service.records import (
    HEAD,
    LEGAL_BASIS,
    AccessRecord,
    ChangeKind,
    ChangeRecord,
    EventKind,
    EventRecord,
    NewResident,
    Residence,
    ResidentRecord,
    SearchQuery,
    Status,
)
from tsunagu.registry.residents.store import SNAPSHOT_FIELDS

__all__ = [
    "HEAD",
    "INFORMANT_QUALIFICATIONS",
    "LEGAL_BASIS",
    "RELATIVES",
    "SNAPSHOT_FIELDS",
    "AccessRecord",
    "ChangeKind",
    "ChangeRecord",
    "EventKind",
    "EventRecord",
    "ImportRow",
    "Informant",
    "NewResident",
    "ReportedBy",
    "Residence",
    "ResidentRecord",
    "SearchQuery",
    "Status",
    "accesses_of",
    "announce",
    "assign_individual_number",
    "change_address",
    "change_name",
    "changeable_row",
    "check_digit",
    "chome_of",
    "count_accesses",
    "count_people",
    "deaths_reported_by",
    "deceased_members",
    "events_after",
    "events_of",
    "find_by_individual_number",
    "find_residents",
    "get_change",
    "get_resident",
    "get_resident_as_of",
    "has_residents",
    "history_of",
    "household_members",
    "import_residents",
    "individual_number_of",
    "informant_of",
    "latest_change",
    "make_head",
    "mark_delivered",
    "move_out",
    "pending_events",
    "read_record",
    "record_access",
    "register_birth",
    "register_death",
    "register_move_in",
    "register_once",
    "require_registrar",
    "require_resident",
    "resident_in",
    "residents_on",
    "role_of",
    "search_records",
    "today",
]
