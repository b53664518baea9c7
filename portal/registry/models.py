"""Every model, imported in one place so that ``Base.metadata`` is complete (Alembic)."""

from portal.registry.agreements.models import Agreement, AgreementDocument, AgreementSection
from portal.registry.audit.models import AuditEvent
from portal.registry.base import Base
from portal.registry.clients.models import ClientVolume
from portal.registry.etl.models import JobRun, QuarantinedRow
from portal.registry.geography.models import (
    AreaShape,
    BoundarySet,
    CountyMembership,
    EmploymentArea,
    EmploymentAreaMembership,
    Municipality,
    WellbeingCounty,
)
from portal.registry.networks.models import (
    Leader,
    MaturityAssessment,
    MunicipalityException,
    Network,
    NetworkArea,
    SteeringGroup,
    SteeringSeat,
    TypMunicipality,
    TypNetwork,
)
from portal.registry.staff.models import StaffResource
from portal.registry.statistics.models import StatisticDataset, StatisticValue
from portal.registry.users.models import LoginAttempt, User, UserNetwork

__all__ = [
    "AuditEvent", "LoginAttempt", "User", "UserNetwork",
    "Agreement", "AgreementDocument", "AgreementSection", "AreaShape", "Base", "BoundarySet",
    "CountyMembership",
    "EmploymentArea", "EmploymentAreaMembership", "Leader", "MaturityAssessment",
    "Municipality", "MunicipalityException", "Network", "NetworkArea", "StaffResource",
    "SteeringGroup", "SteeringSeat", "TypMunicipality", "TypNetwork", "WellbeingCounty",
    "ClientVolume", "JobRun", "QuarantinedRow", "StatisticDataset", "StatisticValue",
]
