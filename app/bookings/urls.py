from django.urls import path
from rest_framework.routers import SimpleRouter

from app.bookings import feed, views, waitlist_views

router = SimpleRouter()
router.register("workplaces", views.WorkplaceViewSet, basename="workplace")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("timeslots", views.TimeSlotViewSet, basename="timeslot")
router.register("reservations", views.ReservationViewSet, basename="reservation")

urlpatterns = [
    path("timeslots/<int:timeslot_id>/waitlist/", waitlist_views.timeslot_waitlist, name="timeslot-waitlist"),
    path("waitlist/", waitlist_views.my_waitlist, name="waitlist"),
    path("waitlist/<int:entry_id>/decline/", waitlist_views.decline_offer, name="waitlist-decline"),
    path("users/me/calendar-feed/", feed.my_calendar_feed, name="me-calendar-feed"),
    path("calendar-feed/<str:secret>.ics", feed.calendar_feed, name="calendar-feed"),
    *router.urls,
]
