from django.urls import path
from rest_framework.routers import SimpleRouter

from app.accounts import views, views_self

router = SimpleRouter()
router.register("users", views.UserViewSet)
router.register("organizations", views.OrganizationViewSet)
router.register("domains", views.DomainViewSet)
router.register("academic-levels", views.AcademicLevelViewSet)
router.register("academic-fields", views.AcademicFieldViewSet)

urlpatterns = [
    path("auth/token/", views.LoginView.as_view(), name="auth-token"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password/reset/confirm/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password-change"),
    path("users/me/email/", views_self.EmailChangeView.as_view(), name="me-email"),
    path("users/me/email/confirm/", views_self.EmailChangeConfirmView.as_view(), name="me-email-confirm"),
    *router.urls,
]
