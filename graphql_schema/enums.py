"""GraphQL enums are the model enums themselves: `strawberry.enum` registers the GraphQL
name and description on the class it is given, and the alias keeps it a type for mypy."""

from typing import TypeAlias

import strawberry

from hub.models.common import Channel as ChannelModel
from hub.models.common import Metric as MetricModel
from hub.models.common import Role as RoleModel
from hub.models.survey import SurveyStatus as SurveyStatusModel

Metric: TypeAlias = MetricModel
strawberry.enum(Metric, name="Metric", description="NPS 0-10, CES 1-7 or CSAT 1-5.")
Channel: TypeAlias = ChannelModel
strawberry.enum(Channel, name="Channel")
SurveyStatus: TypeAlias = SurveyStatusModel
strawberry.enum(SurveyStatus, name="SurveyStatus")
Role: TypeAlias = RoleModel
strawberry.enum(Role, name="Role")
