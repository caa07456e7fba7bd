from django.urls import path
from rest_framework.routers import SimpleRouter

from app.bookings import feed, views, waitlist_views

router = SimpleRouter()
router.register("workplaces", views.WorkplaceViewSet, basename="workplace")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("timeslots", views.TimeSlotViewSet, basename="timeslot")
router.register("reservations", views.ReservationViewSet, basename="reservation")

urlpatterns = [
    path(
        "timeslots/<int:timeslot_id>/waitlist/", waitlist_views.TimeslotWaitlistView.as_view(), name="timeslot-waitlist"
    ),
    path("waitlist/", waitlist_views.MyWaitlistView.as_view(), name="waitlist"),
    path("waitlist/<int:entry_id>/decline/", waitlist_views.DeclineOfferView.as_view(), name="waitlist-decline"),
    path("users/me/calendar-feed/", feed.MyCalendarFeedView.as_view(), name="me-calendar-feed"),
    path("calendar-feed/<str:secret>.ics", feed.calendar_feed, name="calendar-feed"),
    *router.urls,
]
