from django.urls import path
from rest_framework.routers import SimpleRouter

from app.store import views

router = SimpleRouter()
router.register("memberships", views.MembershipViewSet, basename="membership")
router.register("packages", views.PackageViewSet, basename="package")
router.register("orders", views.OrderViewSet, basename="order")
router.register("held-memberships", views.HeldMembershipViewSet, basename="held-membership")
router.register("coupons", views.CouponViewSet, basename="coupon")
router.register("payment-profiles", views.PaymentProfileViewSet, basename="payment-profile")

urlpatterns = [
    path("orders/<int:pk>/receipt.pdf", views.OrderViewSet.as_view({"get": "receipt"}), name="order-receipt"),
    *router.urls,
]
