"""Who may prepare, read and report on monitorgesprekken."""

from ..models import Role
from ..permissions import ALL_ROLES, define, in_own_wijk

define("sessions.view", ALL_ROLES, "Monitorgesprekken en uitgegeven dossiers lezen (eigen wijk voor werkers en coördinatoren)",
       check=in_own_wijk)
define("sessions.prepare", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR},
       "Een monitorgesprek voorbereiden, het dossier uitgeven en het verslag vastleggen", check=in_own_wijk)
define("initiatives.view", ALL_ROLES, "Buurtinitiatieven bekijken")
define("initiatives.manage", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.SOCIAAL_WERKER},
       "Buurtinitiatieven registreren (eigen wijk)", check=in_own_wijk)
define("reports.view", {Role.ADMIN, Role.ACCOUNTHOUDER, Role.BUURTCOORDINATOR, Role.RAADSLID},
       "Jaarrapportages lezen")
define("reports.manage", {Role.ADMIN, Role.ACCOUNTHOUDER}, "Jaarrapportages samenstellen en bewerken")
