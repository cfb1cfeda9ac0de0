"""The catalogue: resources and their tree, the rules in force on each (and where each comes
from), closures, certifications and the building's layout."""

from booking.services.catalogue.certifications import (
    grant_certification,
    list_certifications,
    revoke_certification,
)
from booking.services.catalogue.closures import (
    ImportResult,
    closures_during,
    closures_in_force,
    create_closure,
    delete_closure,
    import_closures,
    list_closures,
)
from booking.services.catalogue.layout import Layout, Place, read_layout
from booking.services.catalogue.resources import (
    ResourceFilter,
    add_resource,
    create_resource,
    feature_names,
    get_resource,
    get_resource_with_rules,
    list_resource_summaries,
    list_resources,
    resource_names,
    update_resource,
)
from booking.services.catalogue.rule_changes import Affected, preview_rules, set_rules
from booking.services.catalogue.rulebook import (
    RuleBook,
    certifications_of,
    circumstances_for,
    describe_rules,
    local_day,
    rules_of,
    site_zone,
    standing_circumstances,
)
from booking.services.catalogue.snapshot import (
    Catalogue,
    ResourceSummary,
    current_catalogue,
    rules_of_every_resource,
)
from booking.services.catalogue.terms import Terms, terms_for
from booking.services.catalogue.training import Training, request_training, training_overview

__all__ = [
    "Catalogue",
    "current_catalogue",
    "Affected",
    "preview_rules",
    "set_rules",
    "Terms",
    "Training",
    "request_training",
    "training_overview",
    "terms_for",
    "ImportResult",
    "Layout",
    "Place",
    "ResourceFilter",
    "ResourceSummary",
    "RuleBook",
    "add_resource",
    "certifications_of",
    "circumstances_for",
    "closures_during",
    "closures_in_force",
    "create_closure",
    "create_resource",
    "feature_names",
    "delete_closure",
    "describe_rules",
    "get_resource",
    "get_resource_with_rules",
    "grant_certification",
    "import_closures",
    "list_certifications",
    "list_closures",
    "list_resource_summaries",
    "list_resources",
    "local_day",
    "read_layout",
    "resource_names",
    "revoke_certification",
    "rules_of",
    "rules_of_every_resource",
    "site_zone",
    "standing_circumstances",
    "update_resource",
]
