"""The policy entries of notifications and the outbox."""

from ..models import Role
from ..permissions import ALL_ROLES, define

define("notifications.own", ALL_ROLES,
       "De eigen meldingen lezen en kiezen hoe ze per e-mail komen")
define("notifications.outbox", {Role.ADMIN},
       "Verzonden en wachtende e-mailberichten van de installatie inzien (/beheer/berichten)")
