from django.db import models


class LimitCounter(models.Model):
    """How many times a key (a scope and a hashed client, account or address) was counted in one
    fixed window. Shared by every process through the database; written only by POSTs."""

    key = models.CharField(max_length=80)
    window_start = models.BigIntegerField(help_text="Start of the window, in seconds since the epoch.")
    expires = models.BigIntegerField(db_index=True, help_text="End of the window, in seconds since the epoch.")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "window_start"], name="limit_counter_key_window_unique")]

    def __str__(self) -> str:
        return f"{self.key} x{self.count}"
