from django.urls import path
from rest_framework.routers import SimpleRouter

from app.bookings import feed, views, waitlist_views

# The most frequent requests first: a URL pattern's regex is compiled the first time a path is
# tried against it, so a cold start's slot list compiles one pattern here instead of twelve.
router = SimpleRouter()
router.register("timeslots", views.TimeSlotViewSet, basename="timeslot")
router.register("reservations", views.ReservationViewSet, basename="reservation")
router.register("workplaces", views.WorkplaceViewSet, basename="workplace")
router.register("periods", views.PeriodViewSet, basename="period")

urlpatterns = [
    *router.urls,  # no router path is one of the paths below
    path(
        "timeslots/<int:timeslot_id>/waitlist/", waitlist_views.TimeslotWaitlistView.as_view(), name="timeslot-waitlist"
    ),
    path("waitlist/", waitlist_views.MyWaitlistView.as_view(), name="waitlist"),
    path("waitlist/<int:entry_id>/decline/", waitlist_views.DeclineOfferView.as_view(), name="waitlist-decline"),
    path("users/me/calendar-feed/", feed.MyCalendarFeedView.as_view(), name="me-calendar-feed"),
    path("calendar-feed/<str:secret>.ics", feed.calendar_feed, name="calendar-feed"),
]
