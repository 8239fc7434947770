from django.db import models


class ServiceStatus(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"
