import strawberry

from hub.models.common import Channel as ChannelModel
from hub.models.common import Metric as MetricModel
from hub.models.common import Role as RoleModel
from hub.models.survey import SurveyStatus as SurveyStatusModel

Metric = strawberry.enum(MetricModel, name="Metric", description="NPS 0-10, CES 1-7 or CSAT 1-5.")
Channel = strawberry.enum(ChannelModel, name="Channel")
SurveyStatus = strawberry.enum(SurveyStatusModel, name="SurveyStatus")
Role = strawberry.enum(RoleModel, name="Role")
