"""The bookings paths outside the router: the waiting list and the calendar feed (app/bookings/urls.py
includes them lazily, so that a slot list's cold start does not import their views)."""

from django.urls import path

from app.bookings import feed, waitlist_views

urlpatterns = [
    path(
        "timeslots/<int:timeslot_id>/waitlist/", waitlist_views.TimeslotWaitlistView.as_view(), name="timeslot-waitlist"
    ),
    path("waitlist/", waitlist_views.MyWaitlistView.as_view(), name="waitlist"),
    path("waitlist/<int:entry_id>/decline/", waitlist_views.DeclineOfferView.as_view(), name="waitlist-decline"),
    path("users/me/calendar-feed/", feed.MyCalendarFeedView.as_view(), name="me-calendar-feed"),
    path("calendar-feed/<str:secret>.ics", feed.calendar_feed, name="calendar-feed"),
]
