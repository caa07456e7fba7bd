from rest_framework.routers import SimpleRouter

from app.retreats import views, waitlist_views

router = SimpleRouter()
router.register("retreats", views.RetreatViewSet, basename="retreat")
router.register("retreat-reservations", views.RetreatReservationViewSet, basename="retreat-reservation")
router.register("retreat-options", views.RetreatOptionViewSet, basename="retreat-option")
router.register("retreat-invitations", views.RetreatInvitationViewSet, basename="retreat-invitation")
router.register("retreat-waitlist", waitlist_views.RetreatWaitlistViewSet, basename="retreat-waitlist")

urlpatterns = router.urls
