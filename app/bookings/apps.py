from django.apps import AppConfig


class BookingsConfig(AppConfig):
    name = "app.bookings"
    label = "bookings"
