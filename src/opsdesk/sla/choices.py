from django.db import models


class Weekday(models.IntegerChoices):
    """As ``datetime.weekday()``: 0 is Monday."""

    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ExceptionKind(models.TextChoices):
    CLOSED = "closed", "Closed all day"
    OPEN = "open", "Open (these hours replace the usual ones)"
