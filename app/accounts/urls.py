from rest_framework.routers import SimpleRouter

from app.accounts import views

router = SimpleRouter()
router.register("organizations", views.OrganizationViewSet)
router.register("domains", views.DomainViewSet)
router.register("academic-levels", views.AcademicLevelViewSet)
router.register("academic-fields", views.AcademicFieldViewSet)

urlpatterns = router.urls
