from rest_framework.routers import SimpleRouter

from app.bookings import views
from app.core.lazy_urls import lazy_include

# The most frequent requests first: a URL pattern's regex is compiled the first time a path is
# tried against it, so a cold start's slot list compiles one pattern here instead of twelve.
router = SimpleRouter()
router.register("timeslots", views.TimeSlotViewSet, basename="timeslot")
router.register("reservations", views.ReservationViewSet, basename="reservation")
router.register("workplaces", views.WorkplaceViewSet, basename="workplace")
router.register("periods", views.PeriodViewSet, basename="period")

urlpatterns = [
    *router.urls,  # no router path is one of the paths below
    # The waiting list and the calendar feed, with their views: imported when a path reaches them.
    lazy_include("", "app.bookings.waitlist_and_feed_urls"),
]
