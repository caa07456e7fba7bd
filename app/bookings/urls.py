from rest_framework.routers import SimpleRouter

from app.bookings import views

router = SimpleRouter()
router.register("workplaces", views.WorkplaceViewSet, basename="workplace")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("timeslots", views.TimeSlotViewSet, basename="timeslot")
router.register("reservations", views.ReservationViewSet, basename="reservation")

urlpatterns = router.urls
